using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace VectorDb;

/// <summary>
/// A point id as Qdrant has them: an unsigned 64-bit number or a UUID, never both. The two kinds are distinct ids
/// (the number 1 and the UUID 00000000-0000-0000-0000-000000000001 are different points). Ordering (scroll order):
/// every number before every UUID; numbers ascending; UUIDs by their 128-bit big-endian value (the order of their
/// canonical text).
/// </summary>
public readonly struct PointId : IEquatable<PointId>, IComparable<PointId>
{
    private readonly ulong _number;
    private readonly Guid _uuid;

    private PointId(ulong number, Guid uuid, bool isUuid)
    {
        _number = number;
        _uuid = uuid;
        IsUuid = isUuid;
    }

    /// <summary>True for a UUID id, false for a numeric one.</summary>
    public bool IsUuid { get; }

    /// <summary>The numeric id; throws for a UUID id.</summary>
    public ulong Number => IsUuid ? throw new InvalidOperationException($"point id {this} is a UUID, not a number.") : _number;

    /// <summary>The UUID id; throws for a numeric id.</summary>
    public Guid Uuid => IsUuid ? _uuid : throw new InvalidOperationException($"point id {this} is a number, not a UUID.");

    /// <summary>A numeric id.</summary>
    public static PointId FromNumber(ulong number) => new(number, default, isUuid: false);

    /// <summary>A UUID id.</summary>
    public static PointId FromUuid(Guid uuid) => new(0, uuid, isUuid: true);

    /// <summary>Parses a decimal unsigned 64-bit number or a UUID (any of .NET's accepted UUID spellings).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out PointId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        if (text[0] is >= '0' and <= '9' && text.Length <= 20 &&
            ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong number))
        {
            id = FromNumber(number);
            return true;
        }
        if (Guid.TryParse(text, out Guid uuid))
        {
            id = FromUuid(uuid);
            return true;
        }
        return false;
    }

    /// <summary>Parses as <see cref="TryParse"/> or throws <see cref="ArgumentException"/> naming <paramref name="where"/>.</summary>
    public static PointId Parse(string? text, string where) => TryParse(text, out var id)
        ? id
        : throw new ArgumentException($"{where} '{text}' is neither an unsigned 64-bit integer nor a UUID.", where);

    /// <summary>A numeric id.</summary>
    public static implicit operator PointId(ulong number) => FromNumber(number);

    /// <summary>A UUID id.</summary>
    public static implicit operator PointId(Guid uuid) => FromUuid(uuid);

    /// <summary>The numeric id; throws <see cref="InvalidOperationException"/> for a UUID id.</summary>
    public static explicit operator ulong(PointId id) => id.Number;

    public bool Equals(PointId other) => IsUuid == other.IsUuid && (IsUuid ? _uuid == other._uuid : _number == other._number);

    public override bool Equals(object? obj) => obj is PointId other && Equals(other);

    public override int GetHashCode() => IsUuid ? _uuid.GetHashCode() : _number.GetHashCode();

    public int CompareTo(PointId other)
    {
        if (IsUuid != other.IsUuid)
        {
            return IsUuid ? 1 : -1;
        }
        return IsUuid
            ? string.CompareOrdinal(_uuid.ToString("D"), other._uuid.ToString("D"))
            : _number.CompareTo(other._number);
    }

    /// <summary>The number in decimal, or the UUID in its canonical lowercase 8-4-4-4-12 form.</summary>
    public override string ToString() => IsUuid ? _uuid.ToString("D") : _number.ToString(CultureInfo.InvariantCulture);

    public static bool operator ==(PointId left, PointId right) => left.Equals(right);

    public static bool operator !=(PointId left, PointId right) => !left.Equals(right);

    public static bool operator <(PointId left, PointId right) => left.CompareTo(right) < 0;

    public static bool operator >(PointId left, PointId right) => left.CompareTo(right) > 0;

    public static bool operator <=(PointId left, PointId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PointId left, PointId right) => left.CompareTo(right) >= 0;
}
