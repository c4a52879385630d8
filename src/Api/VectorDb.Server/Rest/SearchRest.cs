using System.Text.Json;
using System.Text.Json.Nodes;
using VectorDb.Server.Backend;

namespace VectorDb.Server.Rest;

/// <summary>Qdrant's search routes: search, search batch, and the universal query (and query batch) that current
/// clients use, for nearest-neighbour queries by vector. Prefetch, fusion, recommend, discover, context, order_by,
/// sampling, formulas, query by point id, <c>using</c> a named vector and <c>lookup_from</c> are refused.</summary>
internal static class SearchRest
{
    public static void Map(WebApplication app, string[] host)
    {
        RestApi.Read(app, host, "POST", "/collections/{collection_name}/points/search", async call =>
        {
            var collection = await call.CollectionAsync();
            var body = await call.BodyAsync();
            var results = await RunAsync(call, collection, [Search(collection, body, "body", call.Store.Limits.MaxK)]);
            return results[0];
        });
        RestApi.Read(app, host, "POST", "/collections/{collection_name}/points/search/batch", async call =>
        {
            var collection = await call.CollectionAsync();
            var searches = Searches(await call.BodyAsync());
            int maxK = call.Store.Limits.MaxK;
            return new JsonArray([.. await RunAsync(call, collection, [.. searches.Select((s, i) => Search(collection, s, $"searches[{i}]", maxK))])]);
        });
        RestApi.Read(app, host, "POST", "/collections/{collection_name}/points/query", async call =>
        {
            var collection = await call.CollectionAsync();
            var body = await call.BodyAsync();
            var results = await RunAsync(call, collection, [Query(collection, body, "body", call.Store.Limits.MaxK)]);
            return new JsonObject { ["points"] = results[0] };
        });
        RestApi.Read(app, host, "POST", "/collections/{collection_name}/points/query/batch", async call =>
        {
            var collection = await call.CollectionAsync();
            var searches = Searches(await call.BodyAsync());
            int maxK = call.Store.Limits.MaxK;
            var results = await RunAsync(call, collection, [.. searches.Select((s, i) => Query(collection, s, $"searches[{i}]", maxK))]);
            return new JsonArray([.. results.Select(r => (JsonNode)new JsonObject { ["points"] = r })]);
        });
    }

    private static List<JsonObject> Searches(JsonObject body) => body["searches"] is JsonArray searches
        ? [.. searches.Select((s, i) => s as JsonObject ?? throw new ArgumentException($"searches[{i}] must be an object.", "searches"))]
        : throw new ArgumentException("searches must be an array of search requests.", "searches");

    private static (SearchRequest, int, PayloadSelector) Search(IStoredCollection collection, JsonObject body, string where, int maxK)
    {
        QdrantJson.Refuse(body, "shard_key", where);
        var vector = body["vector"] is JsonObject named && named.ContainsKey("name")
            ? NamedVector(named, where + ".vector")
            : QdrantJson.Vector(body["vector"], where + ".vector");
        if (QdrantJson.Count(body, "limit", where) is null)
        {
            throw new ArgumentException($"{where}.limit is missing; give the number of results wanted.", "limit");
        }
        return QdrantPoints.Search(vector, body, where, collection.Config.Metric, 10, maxK);
    }

    private static float[] NamedVector(JsonObject named, string where) =>
        named["name"]?.ToString() is "" ? QdrantJson.Vector(named["vector"], where + ".vector")
            : throw new UnsupportedException($"{where}: the named vector '{named["name"]}'");

    private static (SearchRequest, int, PayloadSelector) Query(IStoredCollection collection, JsonObject body, string where, int maxK)
    {
        foreach (string refused in (string[])["prefetch", "lookup_from", "shard_key"])
        {
            QdrantJson.Refuse(body, refused, where);
        }
        if (body["using"] is { } name && name.ToString() != "")
        {
            throw new UnsupportedException($"{where}.using '{name}' (named vectors)");
        }
        var query = body["query"];
        var vector = query switch
        {
            null => throw new UnsupportedException($"{where}: a query without 'query' (use scroll to list points)"),
            JsonArray => QdrantJson.Vector(query, where + ".query"),
            JsonObject o when o["nearest"] is JsonArray nearest && o.Count == 1 => QdrantJson.Vector(nearest, where + ".query.nearest"),
            JsonObject o when o["nearest"] is { } byId && o.Count == 1 => throw new UnsupportedException($"{where}.query.nearest {QdrantJson.Describe(byId)} (query by point id)"),
            JsonObject o => throw new UnsupportedException($"{where}.query {{{string.Join(", ", o.Select(p => p.Key))}}}"),
            JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.String => throw new UnsupportedException($"{where}.query {v.ToJsonString()} (query by point id)"),
            _ => throw new ArgumentException($"{where}.query must be a vector or {{nearest: vector}}.", "query"),
        };
        return QdrantPoints.Search(vector, body, where, collection.Config.Metric, 10, maxK);
    }

    /// <summary>Runs the searches (one engine batch) and renders each as Qdrant's list of scored points.</summary>
    private static async Task<List<JsonArray>> RunAsync(RestCall call, IStoredCollection collection,
        List<(SearchRequest Request, int Offset, PayloadSelector Payload)> searches)
    {
        var metric = collection.Config.Metric;
        var results = await QdrantPoints.RunAsync(collection, searches, call.Read, call.Aborted);
        return [.. results.Select((hits, i) => new JsonArray([.. hits.Select(h => (JsonNode)QdrantPoints.Scored(h, searches[i].Payload, metric))]))];
    }
}
