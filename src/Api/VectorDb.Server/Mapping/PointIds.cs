using ProtoPointId = VectorDb.Api.V1.PointId;

namespace VectorDb.Server.Mapping;

/// <summary>Proto point ids ↔ engine ids: <c>num</c> is a numeric id, <c>uuid</c> a UUID in any of .NET's accepted
/// spellings (answered in the canonical lowercase 8-4-4-4-12 form).</summary>
internal static class PointIds
{
    public static VectorDb.PointId ToEngine(ProtoPointId? id, string where) => id?.PointIdOptionsCase switch
    {
        ProtoPointId.PointIdOptionsOneofCase.Num => id.Num,
        ProtoPointId.PointIdOptionsOneofCase.Uuid => Uuid(id.Uuid, where),
        _ => throw new ArgumentException($"{where} is missing; set id.num or id.uuid.", nameof(id)),
    };

    /// <summary>The <c>uuid</c> form of a point id (vectordb.v1 and Qdrant's PointId alike).</summary>
    public static VectorDb.PointId Uuid(string text, string where) => Guid.TryParse(text, out Guid uuid)
        ? uuid
        : throw new ArgumentException($"{where} is '{text}', which is not a UUID (use the 8-4-4-4-12 hex form).", "id");

    public static ProtoPointId ToProto(VectorDb.PointId id) =>
        id.IsUuid ? new ProtoPointId { Uuid = id.Uuid.ToString("D") } : new ProtoPointId { Num = id.Number };
}
