using System.Text.Json;
using System.Text.Json.Nodes;

namespace VectorDb.Server.Rest;

/// <summary>Which payload keys a response carries (Qdrant's <c>with_payload</c>: a boolean, a list of keys, or
/// <c>{include}</c> / <c>{exclude}</c>; keys are top-level names).</summary>
internal sealed record PayloadSelector(bool Any, HashSet<string>? Include, HashSet<string>? Exclude)
{
    public static readonly PayloadSelector All = new(true, null, null);
    public static readonly PayloadSelector None = new(false, null, null);

    public static PayloadSelector Parse(JsonNode? node, bool byDefault, string where) => node switch
    {
        null => byDefault ? All : None,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? All : None,
        JsonArray keys => new(true, Keys(keys, where), null),
        JsonObject { Count: 1 } o when o["include"] is JsonArray keys => new(true, Keys(keys, where + ".include"), null),
        JsonObject { Count: 1 } o when o["exclude"] is JsonArray keys => new(true, null, Keys(keys, where + ".exclude")),
        _ => throw new ArgumentException($"{where} must be true, false, a list of payload keys, {{include: [...]}} or {{exclude: [...]}}.", where),
    };

    private static HashSet<string> Keys(JsonArray keys, string where)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            string name = key is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : throw new ArgumentException($"{where} must list payload keys as strings.", where);
            if (name.Contains('.', StringComparison.Ordinal))
            {
                throw new UnsupportedException($"{where}: nested payload keys ('{name}'); select top-level keys");
            }
            set.Add(name);
        }
        return set;
    }

    /// <summary>The selected part of a payload (null when none is asked for).</summary>
    public JsonObject? Select(JsonObject? payload)
    {
        if (!Any)
        {
            return null;
        }
        payload ??= [];
        if (Include is null && Exclude is null)
        {
            return payload;
        }
        return new JsonObject(payload
            .Where(p => Include?.Contains(p.Key) ?? !Exclude!.Contains(p.Key))
            .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
    }
}

/// <summary>Engine points → Qdrant's point JSON, and Qdrant's point and search options → the engine's.</summary>
internal static class QdrantPoints
{
    /// <summary>Qdrant's <c>with_vector</c>: a boolean, or a list of vector names ("" is the one vector).</summary>
    public static bool WithVector(JsonNode? node, string where) => node switch
    {
        null => false,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonArray { Count: 0 } => false,
        JsonArray names when names.All(n => n?.ToString() == "") => true,
        _ => throw new UnsupportedException($"{where}: named vectors ({QdrantJson.Describe(node)})"),
    };

    /// <summary>A retrieved point as Qdrant's Record.</summary>
    public static JsonObject Record(RetrievedPoint point, PayloadSelector payload) => new()
    {
        ["id"] = QdrantJson.ToJson(point.Id),
        ["payload"] = payload.Select(point.Payload),
        ["vector"] = Vector(point.Vector),
    };

    /// <summary>A hit as Qdrant's ScoredPoint; Euclid scores are distances (the engine's squared distance, rooted).</summary>
    public static JsonObject Scored(ScoredPoint point, PayloadSelector payload, Metric metric) => new()
    {
        ["id"] = QdrantJson.ToJson(point.Id),
        ["version"] = 0,
        ["score"] = Score(point, metric),
        ["payload"] = payload.Select(point.Payload),
        ["vector"] = Vector(point.Vector),
    };

    /// <summary>A hit's score as Qdrant reports it: Euclid scores are distances (the engine's squared distance,
    /// rooted); cosine and dot similarities as they are.</summary>
    public static float Score(ScoredPoint point, Metric metric) =>
        metric == Metric.L2 ? MathF.Sqrt(Math.Max(0, point.Score)) : point.Score;

    private static JsonArray? Vector(float[]? vector) => vector is null ? null : new JsonArray([.. vector.Select(x => (JsonNode)x)]);

    /// <summary>Qdrant's <c>{"operation_id", "status"}</c>.</summary>
    public static JsonObject UpdateResult(WriteResult result) => new()
    {
        ["operation_id"] = result.OperationId,
        ["status"] = result.Durable ? "completed" : "acknowledged",
    };

    /// <summary>
    /// An engine search from Qdrant's common search fields (<c>filter</c>, <c>params</c>, <c>limit</c>,
    /// <c>offset</c>, <c>with_payload</c>, <c>with_vector</c>, <c>score_threshold</c>). Parameter mapping
    /// (docs/api.md): <c>hnsw_ef</c> → IVF lists probed (nprobe); <c>exact</c> or <c>quantization.ignore</c> →
    /// exact search over the originals; <c>quantization.rescore: false</c> → no re-rank; <c>quantization.oversampling</c>
    /// → fixed re-rank of limit × oversampling candidates; otherwise the variance-aware auto re-rank.
    /// </summary>
    public static (SearchRequest Request, int Offset, PayloadSelector Payload) Search(
        float[] vector, JsonObject body, string where, Metric metric, long defaultLimit, int maxK)
    {
        long limit = QdrantJson.Count(body, "limit", where) ?? defaultLimit;
        long offset = QdrantJson.Count(body, "offset", where) ?? 0;
        if (limit < 1 || limit + offset > maxK)
        {
            throw new ArgumentException($"{where}: limit {limit} plus offset {offset} must be 1..{maxK} (limit at least 1).", "limit");
        }
        var payload = PayloadSelector.Parse(body["with_payload"], byDefault: false, where + ".with_payload");
        var request = new SearchRequest(vector, (int)(limit + offset))
        {
            Filter = QdrantFilter.Parse(body["filter"], where + ".filter"),
            WithPayload = payload.Any,
            WithVector = WithVector(body["with_vector"], where + ".with_vector"),
        };
        if (QdrantJson.Number(body, "score_threshold", where) is { } threshold)
        {
            request = request with { ScoreThreshold = (float)(metric == Metric.L2 ? threshold * Math.Abs(threshold) : threshold) };
        }
        if (QdrantJson.Object(body, "params", where) is { } parameters)
        {
            request = WithParams(request, parameters, where + ".params");
        }
        return (request, (int)offset, payload);
    }

    /// <summary>Runs searches made by <see cref="Search"/> (one engine batch when there are several) and drops each
    /// one's first <c>offset</c> hits.</summary>
    public static async Task<List<IEnumerable<ScoredPoint>>> RunAsync(Backend.IStoredCollection collection,
        List<(SearchRequest Request, int Offset, PayloadSelector Payload)> searches, Backend.ReadRequest read, CancellationToken cancellationToken)
    {
        var results = await collection.SearchAsync([.. searches.Select(s => s.Request)], read, cancellationToken);
        return [.. results.Select((hits, i) => hits.Skip(searches[i].Offset))];
    }

    private static SearchRequest WithParams(SearchRequest request, JsonObject parameters, string where)
    {
        if (QdrantJson.Count(parameters, "hnsw_ef", where) is { } ef)
        {
            request = request with { NProbe = (int)Math.Min(ef, int.MaxValue) };
        }
        bool exact = QdrantJson.Bool(parameters, "exact", where) ?? false;
        if (QdrantJson.Object(parameters, "quantization", where) is { } quantization)
        {
            exact |= QdrantJson.Bool(quantization, "ignore", where + ".quantization") ?? false;
            bool rescore = QdrantJson.Bool(quantization, "rescore", where + ".quantization") ?? true;
            double? oversampling = QdrantJson.Number(quantization, "oversampling", where + ".quantization");
            if (oversampling is { } o && !(o >= 1 && double.IsFinite(o)))
            {
                throw new ArgumentException($"{where}.quantization.oversampling is {o}; use a finite number ≥ 1.", "oversampling");
            }
            request = !rescore
                ? request with { Rerank = Reranking.None }
                : oversampling is { } fixedOversampling
                    ? request with { Rerank = Reranking.Fixed, Oversampling = fixedOversampling }
                    : request;
        }
        return request with { Exact = exact };
    }
}
