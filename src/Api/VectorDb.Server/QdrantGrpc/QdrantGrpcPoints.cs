using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Collections;
using VectorDb.Server.Mapping;
using VectorDb.Server.Rest;
using Q = Qdrant.Client.Grpc;
using V1 = VectorDb.Api.V1;

namespace VectorDb.Server.QdrantGrpc;

/// <summary>Qdrant's gRPC point messages ↔ the engine's: ids, vectors, payloads, retrieved and scored points.</summary>
internal static class QdrantGrpcPoints
{
    /// <summary>A point id: <c>num</c> or <c>uuid</c> (the UUID rules of <see cref="PointIds"/>).</summary>
    public static PointId Id(Q.PointId? id, string where) => id?.PointIdOptionsCase switch
    {
        Q.PointId.PointIdOptionsOneofCase.Num => id.Num,
        Q.PointId.PointIdOptionsOneofCase.Uuid => PointIds.Uuid(id.Uuid, where),
        _ => throw new ArgumentException($"{where} is missing; set num or uuid.", nameof(id)),
    };

    public static Q.PointId ToProto(PointId id) =>
        id.IsUuid ? new Q.PointId { Uuid = id.Uuid.ToString("D") } : new Q.PointId { Num = id.Number };

    /// <summary>
    /// A payload → JSON object (null when empty). <c>qdrant.Value</c> (json_with_int.proto) and
    /// <c>vectordb.v1.Value</c> have the same wire format (vectordb.v1 took Qdrant's field numbers), so each value is
    /// re-read as the vectordb.v1 message and converted by <see cref="PayloadMapping"/>, the one place that checks
    /// payload values (depth, finite numbers). A test pins the shared format (QdrantGrpcPointsTests).
    /// </summary>
    public static JsonObject? Payload(MapField<string, Q.Value> payload, string where)
    {
        if (payload.Count == 0)
        {
            return null;
        }
        var values = new MapField<string, V1.Value>();
        foreach (var (key, value) in payload)
        {
            values[key] = V1.Value.Parser.ParseFrom(value.ToByteString());
        }
        return PayloadMapping.ToJson(values, where);
    }

    /// <summary>One value → JSON (as <see cref="Payload"/>).</summary>
    public static JsonNode? Json(Q.Value value, string where) => PayloadMapping.ToJson(V1.Value.Parser.ParseFrom(value.ToByteString()), where);

    /// <summary>A JSON payload → Qdrant's payload map (as <see cref="Payload"/>, the other way).</summary>
    public static void FromJson(JsonObject? payload, MapField<string, Q.Value> into)
    {
        if (payload is null)
        {
            return;
        }
        var values = new MapField<string, V1.Value>();
        PayloadMapping.FromJson(payload, values);
        foreach (var (key, value) in values)
        {
            into[key] = Q.Value.Parser.ParseFrom(value.ToByteString());
        }
    }

    /// <summary>A point's dense vector: <c>vectors.vector</c> as <c>dense</c> or the legacy <c>data</c>, or the one
    /// vector named "" of <c>vectors.vectors</c>. Sparse, multi-dense and inference inputs (document, image, object)
    /// and other names are refused.</summary>
    public static float[] Vector(Q.Vectors? vectors, string where) => vectors?.VectorsOptionsCase switch
    {
        Q.Vectors.VectorsOptionsOneofCase.Vector => Dense(vectors.Vector, where + ".vector"),
        Q.Vectors.VectorsOptionsOneofCase.Vectors_ when vectors.Vectors_.Vectors.Count == 1 && vectors.Vectors_.Vectors.TryGetValue("", out var unnamed) =>
            Dense(unnamed, where + ".vectors[\"\"]"),
        Q.Vectors.VectorsOptionsOneofCase.Vectors_ => throw new UnsupportedException(
            $"{where}: named vectors ({string.Join(", ", vectors.Vectors_.Vectors.Keys.Select(k => $"'{k}'"))})"),
        _ => throw new ArgumentException($"{where} is missing; set vectors.vector.dense (or data).", nameof(vectors)),
    };

    /// <summary>A dense vector as <c>dense</c>, or in the legacy <c>data</c> field (deprecated in Qdrant's proto,
    /// still sent by older clients, hence read here).</summary>
    private static float[] Dense(Q.Vector vector, string where)
    {
#pragma warning disable CS0612 // the legacy fields: read to accept older clients and to refuse sparse / multi-vectors
        if (vector.Indices is not null || vector.HasVectorsCount)
        {
            throw new UnsupportedException($"{where}: sparse or multi-vectors (indices / vectors_count)");
        }
        return vector.VectorCase switch
        {
            Q.Vector.VectorOneofCase.Dense => [.. vector.Dense.Data],
            Q.Vector.VectorOneofCase.None => [.. vector.Data],
            var other => throw new UnsupportedException($"{where}.{other} vectors"),
        };
#pragma warning restore CS0612
    }

    /// <summary>A dense vector as Qdrant answers it (<c>vector.dense</c>).</summary>
    private static Q.VectorsOutput? VectorOutput(float[]? vector)
    {
        if (vector is null)
        {
            return null;
        }
        var dense = new Q.DenseVector();
        dense.Data.AddRange(vector);
        return new Q.VectorsOutput { Vector = new Q.VectorOutput { Dense = dense } };
    }

    public static Q.RetrievedPoint Record(RetrievedPoint point, PayloadSelector payload)
    {
        var record = new Q.RetrievedPoint { Id = ToProto(point.Id), Vectors = VectorOutput(point.Vector) };
        FromJson(payload.Select(point.Payload), record.Payload);
        return record;
    }

    public static Q.ScoredPoint Scored(ScoredPoint point, PayloadSelector payload, Metric metric)
    {
        var scored = new Q.ScoredPoint { Id = ToProto(point.Id), Score = QdrantPoints.Score(point, metric), Vectors = VectorOutput(point.Vector) };
        FromJson(payload.Select(point.Payload), scored.Payload);
        return scored;
    }

    /// <summary>Completed once durable (wait), else acknowledged, as the REST answer.</summary>
    public static Q.UpdateResult UpdateResult(WriteResult result) => new()
    {
        OperationId = result.OperationId,
        Status = result.Durable ? Q.UpdateStatus.Completed : Q.UpdateStatus.Acknowledged,
    };
}
