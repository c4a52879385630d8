using VectorDb.Api.V1;

namespace VectorDb.Server.Mapping;

/// <summary>Proto point ids ↔ engine ids. The engine keys points by unsigned 64-bit numbers; UUID ids are refused
/// with a clear message until the engine maps them.</summary>
internal static class PointIds
{
    public static ulong ToEngine(PointId? id, string where) => id?.PointIdOptionsCase switch
    {
        PointId.PointIdOptionsOneofCase.Num => id.Num,
        PointId.PointIdOptionsOneofCase.Uuid => throw new ArgumentException(
            $"{where} is the UUID '{id.Uuid}'; this server supports numeric ids only (set id.num).", nameof(id)),
        _ => throw new ArgumentException($"{where} is missing; set id.num.", nameof(id)),
    };

    public static PointId ToProto(ulong id) => new() { Num = id };
}
