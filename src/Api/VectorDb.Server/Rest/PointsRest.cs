using System.Text.Json.Nodes;
using VectorDb.Server.Backend;

namespace VectorDb.Server.Rest;

/// <summary>Qdrant's point routes: upsert (points list or batch form), retrieve, get one, delete (ids or filter),
/// count, scroll. Search and query are in <see cref="SearchRest"/>. Writes take Qdrant's <c>?ordering=</c>
/// (<see cref="RestCall.Write"/>), reads Qdrant's <c>?consistency=</c> (<see cref="RestCall.Read"/>).</summary>
internal static class PointsRest
{
    public static void Map(WebApplication app, string[] host)
    {
        RestApi.Write(app, host, "PUT", "/collections/{collection_name}/points", async call =>
        {
            var collection = await call.CollectionAsync();
            var points = ToPoints(await call.BodyAsync());
            return QdrantPoints.UpdateResult(await collection.UpsertAsync(points, call.Wait, call.Write, call.Aborted));
        });
        RestApi.Write(app, host, "POST", "/collections/{collection_name}/points/delete", async call =>
        {
            var collection = await call.CollectionAsync();
            var body = await call.BodyAsync();
            QdrantJson.Refuse(body, "shard_key", "body");
            var result = (body["points"], body["filter"]) switch
            {
                ({ } ids, null) => await collection.DeleteAsync(QdrantJson.Ids(ids, "points"), call.Wait, call.Write, call.Aborted),
                (null, { } filter) => await collection.DeleteAsync(QdrantFilter.Parse(filter)!, call.Wait, call.Write, call.Aborted),
                _ => throw new ArgumentException("give exactly one of points (a list of ids) or filter.", "points"),
            };
            return QdrantPoints.UpdateResult(result);
        });
        RestApi.Read(app, host, "POST", "/collections/{collection_name}/points", async call =>
        {
            var collection = await call.CollectionAsync();
            var body = await call.BodyAsync();
            QdrantJson.Refuse(body, "shard_key", "body");
            var payload = PayloadSelector.Parse(body["with_payload"], byDefault: true, "with_payload");
            bool withVector = QdrantPoints.WithVector(body["with_vector"], "with_vector");
            var points = await collection.GetExistingAsync(QdrantJson.Ids(body["ids"], "ids"), payload.Any, withVector, call.Read, call.Aborted);
            return new JsonArray([.. points.Select(p => (JsonNode)QdrantPoints.Record(p, payload))]);
        });
        RestApi.Read(app, host, "GET", "/collections/{collection_name}/points/{id}", async call =>
        {
            var collection = await call.CollectionAsync();
            var id = PointId.Parse(call.Http.GetRouteValue("id") as string, "the point id");
            var points = await collection.GetAsync([id], withPayload: true, withVector: true, call.Read, call.Aborted);
            return QdrantPoints.Record(points[0], PayloadSelector.All);
        });
        RestApi.Read(app, host, "POST", "/collections/{collection_name}/points/count", async call =>
        {
            var collection = await call.CollectionAsync();
            var body = await call.BodyAsync();
            QdrantJson.Refuse(body, "shard_key", "body");
            return new JsonObject { ["count"] = await collection.CountAsync(QdrantFilter.Parse(body["filter"]), call.Read, call.Aborted) };
        });
        RestApi.Read(app, host, "POST", "/collections/{collection_name}/points/scroll", async call =>
        {
            var collection = await call.CollectionAsync();
            var body = await call.BodyAsync();
            QdrantJson.Refuse(body, "shard_key", "body");
            QdrantJson.Refuse(body, "order_by", "body");
            long limit = QdrantJson.Count(body, "limit", "body") ?? 10;
            PointId? offset = body["offset"] is { } from ? QdrantJson.Id(from, "offset") : null;
            var payload = PayloadSelector.Parse(body["with_payload"], byDefault: true, "with_payload");
            bool withVector = QdrantPoints.WithVector(body["with_vector"], "with_vector");
            var page = await collection.ScrollAsync(QdrantFilter.Parse(body["filter"]), offset, limit, payload.Any, withVector, call.Read, call.Aborted);
            return new JsonObject
            {
                ["points"] = new JsonArray([.. page.Points.Select(p => (JsonNode)QdrantPoints.Record(p, payload))]),
                ["next_page_offset"] = page.NextPageOffset is { } next ? QdrantJson.ToJson(next) : null,
            };
        });
    }

    /// <summary>Qdrant's upsert body: <c>{"points": [{id, vector, payload}]}</c> or
    /// <c>{"batch": {ids, vectors, payloads}}</c>.</summary>
    private static List<PointInput> ToPoints(JsonObject body)
    {
        QdrantJson.Refuse(body, "shard_key", "body");
        QdrantJson.Refuse(body, "update_filter", "body");
        if (body["points"] is JsonArray points && body["batch"] is null)
        {
            return [.. points.Select((p, i) => ToPoint(p, $"points[{i}]"))];
        }
        if (body["batch"] is JsonObject batch && body["points"] is null)
        {
            var ids = QdrantJson.Ids(batch["ids"], "batch.ids");
            if (batch["vectors"] is not JsonArray vectors || vectors.Count != ids.Count)
            {
                throw new ArgumentException($"batch.vectors must be an array with one vector per id ({ids.Count}).", "batch.vectors");
            }
            var payloads = batch["payloads"] as JsonArray;
            if (batch["payloads"] is not null && (payloads is null || payloads.Count != ids.Count))
            {
                throw new ArgumentException($"batch.payloads must be an array with one payload (or null) per id ({ids.Count}).", "batch.payloads");
            }
            return [.. ids.Select((id, i) => new PointInput(id, QdrantJson.Vector(vectors[i], $"batch.vectors[{i}]"),
                Payload(payloads?[i], $"batch.payloads[{i}]")))];
        }
        throw new ArgumentException("give exactly one of points (a list of {id, vector, payload}) or batch ({ids, vectors, payloads}).", "points");
    }

    private static PointInput ToPoint(JsonNode? node, string where)
    {
        if (node is not JsonObject point)
        {
            throw new ArgumentException($"{where} must be an object {{id, vector, payload}}.", "points");
        }
        return new PointInput(QdrantJson.Id(point["id"], where + ".id"), QdrantJson.Vector(point["vector"], where + ".vector"),
            Payload(point["payload"], where + ".payload"));
    }

    private static JsonObject? Payload(JsonNode? node, string where) => node switch
    {
        null => null,
        JsonObject payload => (JsonObject)payload.DeepClone(),
        _ => throw new ArgumentException($"{where} must be a JSON object, got {QdrantJson.Describe(node)}.", "payload"),
    };
}
