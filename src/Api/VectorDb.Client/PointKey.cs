using VectorDb.Api.V1;

namespace VectorDb.Client;

/// <summary>A point id as a .NET value: an unsigned 64-bit number or a UUID. Prints as the number or the canonical
/// lowercase UUID (the raw <see cref="PointId"/> prints as proto JSON, <c>{ "num": "1" }</c>).</summary>
public readonly record struct PointKey
{
    private PointKey(ulong number, Guid? uuid)
    {
        Number = number;
        Uuid = uuid;
    }

    /// <summary>The numeric id (0 when this is a UUID).</summary>
    public ulong Number { get; }

    /// <summary>The UUID, or null for a numeric id.</summary>
    public Guid? Uuid { get; }

    public bool IsUuid => Uuid is not null;

    public static implicit operator PointKey(ulong number) => new(number, null);

    public static implicit operator PointKey(Guid uuid) => new(0, uuid);

    public static PointKey FromUInt64(ulong number) => number;

    public static PointKey FromGuid(Guid uuid) => uuid;

    /// <summary>The key of a raw proto id.</summary>
    /// <param name="id">A proto id with num or uuid set.</param>
    /// <exception cref="FormatException">The id holds neither, or a malformed UUID.</exception>
    public static PointKey FromProto(PointId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.PointIdOptionsCase switch
        {
            PointId.PointIdOptionsOneofCase.Num => id.Num,
            PointId.PointIdOptionsOneofCase.Uuid => Guid.Parse(id.Uuid),
            _ => throw new FormatException("The point id holds neither a number nor a UUID."),
        };
    }

    /// <summary>This key as a raw proto id (for the generated stubs).</summary>
    public PointId ToProto() => Uuid is { } uuid ? VectorDbClient.Id(uuid) : VectorDbClient.Id(Number);

    public override string ToString() =>
        Uuid is { } uuid ? uuid.ToString("D") : Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
