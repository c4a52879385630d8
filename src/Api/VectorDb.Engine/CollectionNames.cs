using System.Text.RegularExpressions;

namespace VectorDb;

/// <summary>
/// The rule for collection names: 1-64 characters from A-Z, a-z, 0-9, '_' and '-', starting with a letter or digit
/// (so no '.', '..', path separators, spaces or control characters: a name is a directory name on every platform).
/// <para>Checked here, before anything touches the disk, with the end anchored by <c>\z</c>: a pattern ending in
/// <c>$</c> also accepts a trailing "\n", which is how "abc\n" became a directory. Error messages echo at most
/// <see cref="EchoChars"/> characters of the offending name, control characters escaped.</para>
/// </summary>
public static partial class CollectionNames
{
    public const int MaxLength = 64;

    /// <summary>Characters of an invalid name quoted back in the error message.</summary>
    public const int EchoChars = 64;

    public static bool IsValid(string name) => name is not null && Pattern().IsMatch(name);

    /// <summary>Throws <see cref="ArgumentException"/> (parameter "collection_name") for an invalid name.</summary>
    public static void Validate(string name)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException(
                $"collection name '{Echo(name)}' is invalid: use 1-{MaxLength} characters from A-Z, a-z, 0-9, '_' and '-', starting with a letter or digit.",
                "collection_name");
        }
    }

    /// <summary>At most <see cref="EchoChars"/> characters of <paramref name="text"/>, control characters as \uXXXX,
    /// '…' when cut.</summary>
    public static string Echo(string text)
    {
        string head = text.Length > EchoChars ? text[..EchoChars] : text;
        string escaped = string.Concat(head.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return text.Length > EchoChars ? escaped + "…" : escaped;
    }

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9_-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
