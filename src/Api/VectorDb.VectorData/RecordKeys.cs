
namespace VectorDb.VectorData;

/// <summary>
/// Record keys ↔ point ids. A <see cref="ulong"/> key is a numeric id, a <see cref="Guid"/> key a UUID id, and a
/// <see cref="string"/> key must be a UUID (any spelling <see cref="Guid.TryParse(string?, out Guid)"/> accepts;
/// read back in the canonical lowercase 8-4-4-4-12 form). Any other string is refused with an
/// <see cref="ArgumentException"/> naming it, never hashed or mapped silently, as Qdrant does.
/// </summary>
internal static class RecordKeys
{
    public static readonly Type[] Supported = [typeof(ulong), typeof(Guid), typeof(string)];

    public static bool IsSupported(Type type) => Array.IndexOf(Supported, type) >= 0;

    public static PointId ToPointId(object? key) => key switch
    {
        ulong number => number,
        byte or sbyte or short or ushort or int or uint or long => Convert.ToUInt64(key, System.Globalization.CultureInfo.InvariantCulture),
        Guid uuid => uuid,
        string text when Guid.TryParse(text, out Guid uuid) => uuid,
        string text => throw new ArgumentException(
            $"the key '{text}' is not a UUID; VectorDb's string keys are UUIDs (use a Guid, a UUID string or a ulong).", nameof(key)),
        null => throw new ArgumentNullException(nameof(key), "a record key is null."),
        _ => throw new NotSupportedException($"VectorDb keys are ulong, Guid or UUID strings; got {key.GetType().Name}."),
    };

    /// <summary>The key of <paramref name="type"/> for a stored point. A point whose id kind the key type cannot hold
    /// (a UUID point read through ulong keys, or the reverse) is an <see cref="InvalidOperationException"/>.</summary>
    public static object ToKey(PointId id, Type type)
    {
        if (type == typeof(ulong) && !id.IsUuid)
        {
            return id.Number;
        }
        if (type == typeof(Guid) && id.IsUuid)
        {
            return id.Uuid;
        }
        if (type == typeof(string) && id.IsUuid)
        {
            return id.Uuid.ToString("D");
        }
        throw new InvalidOperationException($"point {id} cannot be read with {type.Name} keys: the collection mixes numeric and UUID ids.");
    }
}
