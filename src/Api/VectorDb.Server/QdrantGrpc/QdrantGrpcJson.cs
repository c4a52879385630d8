using System.Text.Json.Nodes;
using VectorDb.Server.Rest;
using Q = Qdrant.Client.Grpc;

namespace VectorDb.Server.QdrantGrpc;

/// <summary>
/// The parts of Qdrant's gRPC requests that carry Qdrant's semantics (filters, payload and vector selectors, search
/// parameters, collection parameters) rewritten as Qdrant's REST JSON, so that one translator
/// (<see cref="QdrantFilter"/>, <see cref="QdrantPoints"/>, <see cref="CollectionsRest"/>) decides for both APIs
/// what is served, what is refused and with which message. Field names are the same in both forms (snake_case), so
/// messages name the gRPC field too. Parts the REST form has no spelling for are refused here with
/// <see cref="UnsupportedException"/>.
/// <para>Each rewritten part is written out and parsed again (<see cref="AsParsed{T}"/>), so the translators read
/// exactly the JSON values a REST body gives them (a value built from a ulong or a float in memory would not convert
/// the way a parsed number does).</para>
/// </summary>
internal static class QdrantGrpcJson
{
    /// <summary>Deep enough for any filter protobuf can parse (its recursion limit is 100 messages; a filter level
    /// is at most 3 JSON levels); the filter's own depth limit applies afterwards.</summary>
    private static readonly System.Text.Json.JsonDocumentOptions s_parse = new() { MaxDepth = 512 };

    private static T? AsParsed<T>(T? node) where T : JsonNode => node is null ? null : (T)JsonNode.Parse(node.ToJsonString(), documentOptions: s_parse)!;

    /// <summary>A filter as Qdrant's REST filter object (null when unset).</summary>
    public static JsonObject? Filter(Q.Filter? filter, string where = "filter") => AsParsed(FilterObject(filter, where));

    private static JsonObject? FilterObject(Q.Filter? filter, string where)
    {
        if (filter is null)
        {
            return null;
        }
        if (filter.MinShould is not null)
        {
            throw new UnsupportedException($"{where}.min_should");
        }
        var json = new JsonObject();
        Add(json, "must", filter.Must, where);
        Add(json, "should", filter.Should, where);
        Add(json, "must_not", filter.MustNot, where);
        return json;
    }

    private static void Add(JsonObject json, string clause, IList<Q.Condition> conditions, string where)
    {
        if (conditions.Count > 0)
        {
            json[clause] = new JsonArray([.. conditions.Select((c, i) => (JsonNode)Condition(c, $"{where}.{clause}[{i}]"))]);
        }
    }

    private static JsonObject Condition(Q.Condition condition, string where) => condition.ConditionOneOfCase switch
    {
        Q.Condition.ConditionOneOfOneofCase.Field => Field(condition.Field, where),
        Q.Condition.ConditionOneOfOneofCase.IsEmpty => new JsonObject { ["is_empty"] = new JsonObject { ["key"] = condition.IsEmpty.Key } },
        Q.Condition.ConditionOneOfOneofCase.IsNull => new JsonObject { ["is_null"] = new JsonObject { ["key"] = condition.IsNull.Key } },
        Q.Condition.ConditionOneOfOneofCase.HasId => new JsonObject
        {
            ["has_id"] = new JsonArray([.. condition.HasId.HasId.Select((id, i) => QdrantJson.ToJson(QdrantGrpcPoints.Id(id, $"{where}.has_id[{i}]")))]),
        },
        // A nested filter is a condition in both forms; an empty one must still read as a filter.
        Q.Condition.ConditionOneOfOneofCase.Filter => FilterObject(condition.Filter, where + ".filter") is { Count: > 0 } nested
            ? nested
            : new JsonObject { ["must"] = new JsonArray() },
        Q.Condition.ConditionOneOfOneofCase.Nested => throw new UnsupportedException($"{where}.nested (conditions on arrays of objects)"),
        Q.Condition.ConditionOneOfOneofCase.HasVector => throw new UnsupportedException($"{where}.has_vector"),
        Q.Condition.ConditionOneOfOneofCase.None => throw new ArgumentException($"{where} is empty; set field, is_empty, is_null, has_id or filter.", "filter"),
        var other => throw new UnsupportedException($"{where}.{other}"),
    };

    private static JsonObject Field(Q.FieldCondition field, string where)
    {
        if (field.GeoBoundingBox is not null || field.GeoRadius is not null || field.GeoPolygon is not null)
        {
            throw new UnsupportedException($"{where}.field: geo conditions");
        }
        if (field.ValuesCount is not null)
        {
            throw new UnsupportedException($"{where}.field.values_count");
        }
        if (field.DatetimeRange is not null)
        {
            throw new UnsupportedException($"{where}.field.datetime_range");
        }
        if (field.HasIsEmpty || field.HasIsNull)
        {
            throw new UnsupportedException($"{where}.field.is_empty / is_null flags (use the is_empty and is_null conditions)");
        }
        var json = new JsonObject { ["key"] = field.Key };
        if (field.Match is { } match)
        {
            json["match"] = Match(match, $"{where}.field.match");
        }
        if (field.Range is { } range)
        {
            json["range"] = new JsonObject
            {
                ["gt"] = range.HasGt ? range.Gt : null,
                ["gte"] = range.HasGte ? range.Gte : null,
                ["lt"] = range.HasLt ? range.Lt : null,
                ["lte"] = range.HasLte ? range.Lte : null,
            };
        }
        return json;
    }

    private static JsonObject Match(Q.Match match, string where) => match.MatchValueCase switch
    {
        Q.Match.MatchValueOneofCase.Keyword => new JsonObject { ["value"] = match.Keyword },
        Q.Match.MatchValueOneofCase.Integer => new JsonObject { ["value"] = match.Integer },
        Q.Match.MatchValueOneofCase.Boolean => new JsonObject { ["value"] = match.Boolean },
        Q.Match.MatchValueOneofCase.Keywords => new JsonObject { ["any"] = Strings(match.Keywords.Strings) },
        Q.Match.MatchValueOneofCase.Integers => new JsonObject { ["any"] = Integers(match.Integers.Integers) },
        Q.Match.MatchValueOneofCase.ExceptKeywords => new JsonObject { ["except"] = Strings(match.ExceptKeywords.Strings) },
        Q.Match.MatchValueOneofCase.ExceptIntegers => new JsonObject { ["except"] = Integers(match.ExceptIntegers.Integers) },
        Q.Match.MatchValueOneofCase.None => throw new ArgumentException($"{where} is empty; set one match kind.", "filter"),
        var other => throw new UnsupportedException($"{where}.{other} (text, phrase, prefix and substring match)"),
    };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);

    private static JsonArray Integers(IEnumerable<long> values) => new([.. values.Select(v => (JsonNode)v)]);

    /// <summary>Qdrant's <c>with_payload</c> (null when unset: the REST default applies).</summary>
    public static JsonNode? WithPayload(Q.WithPayloadSelector? selector) => AsParsed(WithPayloadNode(selector));

    private static JsonNode? WithPayloadNode(Q.WithPayloadSelector? selector) => selector?.SelectorOptionsCase switch
    {
        null or Q.WithPayloadSelector.SelectorOptionsOneofCase.None => null,
        Q.WithPayloadSelector.SelectorOptionsOneofCase.Enable => selector.Enable,
        Q.WithPayloadSelector.SelectorOptionsOneofCase.Include => new JsonObject { ["include"] = Strings(selector.Include.Fields) },
        _ => new JsonObject { ["exclude"] = Strings(selector.Exclude.Fields) },
    };

    /// <summary>Qdrant's <c>with_vectors</c> (null when unset: no vectors).</summary>
    public static JsonNode? WithVectors(Q.WithVectorsSelector? selector) => AsParsed(WithVectorsNode(selector));

    private static JsonNode? WithVectorsNode(Q.WithVectorsSelector? selector) => selector?.SelectorOptionsCase switch
    {
        null or Q.WithVectorsSelector.SelectorOptionsOneofCase.None => null,
        Q.WithVectorsSelector.SelectorOptionsOneofCase.Enable => selector.Enable,
        _ => Strings(selector.Include.Names),
    };

    /// <summary>The search fields common to Search and Query, as the REST body <see cref="QdrantPoints.Search"/>
    /// reads: filter, params, limit, offset, score_threshold, with_payload, with_vector.</summary>
    public static JsonObject SearchBody(Q.Filter? filter, Q.SearchParams? parameters, ulong? limit, ulong? offset, float? scoreThreshold,
        Q.WithPayloadSelector? withPayload, Q.WithVectorsSelector? withVectors) => AsParsed(new JsonObject
    {
        ["filter"] = FilterObject(filter, "filter"),
        ["params"] = Params(parameters),
        ["limit"] = limit,
        ["offset"] = offset,
        ["score_threshold"] = scoreThreshold,
        ["with_payload"] = WithPayloadNode(withPayload),
        ["with_vector"] = WithVectorsNode(withVectors),
    })!;

    private static JsonObject? Params(Q.SearchParams? parameters) => parameters is null ? null : new JsonObject
    {
        ["hnsw_ef"] = parameters.HasHnswEf ? parameters.HnswEf : null,
        ["exact"] = parameters.HasExact ? parameters.Exact : null,
        ["quantization"] = parameters.Quantization is { } q ? new JsonObject
        {
            ["ignore"] = q.HasIgnore ? q.Ignore : null,
            ["rescore"] = q.HasRescore ? q.Rescore : null,
            ["oversampling"] = q.HasOversampling ? q.Oversampling : null,
        } : null,
    };

    /// <summary>A create-collection request as the REST body <see cref="CollectionsRest.ToConfig"/> reads:
    /// <c>vectors: {size, distance, datatype}</c>, and VectorDb's own options from the collection metadata key
    /// <c>vectordb</c> (REST's <c>vectordb</c> field: bits, scheme, originals, index, nlist).</summary>
    public static JsonObject CreateBody(Q.CreateCollection request)
    {
        if (request.SparseVectorsConfig is not null)
        {
            throw new UnsupportedException("sparse_vectors_config");
        }
        if (request.HasShardingMethod && request.ShardingMethod != Q.ShardingMethod.Auto)
        {
            throw new UnsupportedException($"sharding_method {request.ShardingMethod}");
        }
        var vectors = request.VectorsConfig?.ConfigCase switch
        {
            Q.VectorsConfig.ConfigOneofCase.Params => request.VectorsConfig.Params,
            Q.VectorsConfig.ConfigOneofCase.ParamsMap => throw new UnsupportedException(
                $"named vectors (vectors_config.params_map: {string.Join(", ", request.VectorsConfig.ParamsMap.Map.Keys.Select(k => $"'{k}'"))}); give vectors_config.params"),
            _ => throw new ArgumentException("vectors_config is missing; give vectors_config.params {size, distance}.", "vectors_config"),
        };
        if (vectors.MultivectorConfig is not null)
        {
            throw new UnsupportedException("vectors_config.params.multivector_config");
        }
        var extra = request.Metadata.Where(m => m.Key != "vectordb").Select(m => m.Key).ToList();
        if (extra.Count > 0)
        {
            throw new UnsupportedException($"collection metadata ({string.Join(", ", extra.Select(k => $"'{k}'"))}); only the key 'vectordb' (VectorDb's options) is read");
        }
        return AsParsed(new JsonObject
        {
            ["vectors"] = new JsonObject
            {
                ["size"] = vectors.Size,
                ["distance"] = vectors.Distance.ToString(),
                ["datatype"] = vectors.HasDatatype && vectors.Datatype != Q.Datatype.Default ? vectors.Datatype.ToString().ToLowerInvariant() : null,
            },
            ["vectordb"] = request.Metadata.TryGetValue("vectordb", out var options) ? QdrantGrpcPoints.Json(options, "metadata[\"vectordb\"]") : null,
            ["shard_number"] = request.HasShardNumber ? request.ShardNumber : null,
            ["replication_factor"] = request.HasReplicationFactor ? request.ReplicationFactor : null,
            ["write_consistency_factor"] = request.HasWriteConsistencyFactor ? request.WriteConsistencyFactor : null,
        })!;
    }
}
