namespace VectorDb;

/// <summary>The kinds of scalar payload values a filter can test.</summary>
public enum FieldValueKind : byte
{
    Keyword,
    Integer,
    Double,
    Boolean,
}

/// <summary>
/// One scalar payload value (a JSON string, integer, other number or boolean). Integers are kept exactly as
/// <see cref="long"/>; every number also has its <see cref="double"/> value for range tests.
/// </summary>
public readonly record struct FieldValue
{
    private FieldValue(FieldValueKind kind, string? keyword, long integer, double number)
    {
        Kind = kind;
        Keyword = keyword;
        Integer = integer;
        Number = number;
    }

    public FieldValueKind Kind { get; }

    /// <summary>The string of a <see cref="FieldValueKind.Keyword"/>, else null.</summary>
    public string? Keyword { get; }

    /// <summary>The value of an <see cref="FieldValueKind.Integer"/> (or a boolean as 0/1).</summary>
    public long Integer { get; }

    /// <summary>The numeric value of an integer or double (NaN for keywords).</summary>
    public double Number { get; }

    public bool IsNumber => Kind is FieldValueKind.Integer or FieldValueKind.Double;

    public static FieldValue Of(string keyword) => new(FieldValueKind.Keyword, keyword ?? throw new ArgumentNullException(nameof(keyword)), 0, double.NaN);

    public static FieldValue Of(long integer) => new(FieldValueKind.Integer, null, integer, integer);

    public static FieldValue Of(double number) => new(FieldValueKind.Double, null, 0, number);

    public static FieldValue Of(bool boolean) => new(FieldValueKind.Boolean, null, boolean ? 1 : 0, double.NaN);

    /// <summary>Exact equality as a filter's match sees it: keywords ordinally, integers exactly (a double equals
    /// an integer only when it holds exactly that integer), booleans by value.</summary>
    public bool Matches(in FieldValue wanted) => wanted.Kind switch
    {
        FieldValueKind.Keyword => Kind == FieldValueKind.Keyword && string.Equals(Keyword, wanted.Keyword, StringComparison.Ordinal),
        FieldValueKind.Integer => Kind == FieldValueKind.Integer ? Integer == wanted.Integer
            : Kind == FieldValueKind.Double && Number == wanted.Integer && Math.Abs(Number) < 9.007199254740992E15,
        FieldValueKind.Boolean => Kind == FieldValueKind.Boolean && Integer == wanted.Integer,
        _ => IsNumber && Number == wanted.Number,
    };
}
