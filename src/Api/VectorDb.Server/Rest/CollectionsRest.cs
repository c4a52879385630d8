using System.Text.Json.Nodes;
using VectorDb.Server.Backend;

namespace VectorDb.Server.Rest;

/// <summary>
/// Qdrant's collection routes: list, info, create (<c>vectors: {size, distance}</c>, VectorDb's own options under
/// <c>vectordb</c>), delete, exists, and payload index creation/deletion (accepted and answered as completed: every
/// payload field is already filterable, from the in-memory flattened payloads, so there is nothing to build).
/// Qdrant's tuning sections (hnsw_config, optimizers_config, wal_config, quantization_config, on_disk_payload) are
/// accepted and ignored: they do not change results; VectorDb's codes are set under <c>vectordb</c>. Shard and
/// replication counts and the write consistency factor lay a cluster node's collection out (<see cref="Layout"/>);
/// a single node, with one copy, ignores them. Sparse vectors, named vectors, multivectors, non-float datatypes, Manhattan distance and
/// <c>init_from</c> are refused.
/// </summary>
internal static class CollectionsRest
{
    public static void Map(WebApplication app, string[] host)
    {
        RestApi.Read(app, host, "GET", "/collections", async call => new JsonObject
        {
            ["collections"] = new JsonArray([.. (await call.Store.ListAsync(call.Aborted)).Select(name => (JsonNode)new JsonObject { ["name"] = name })]),
        });
        RestApi.Read(app, host, "GET", "/collections/{collection_name}", async call =>
            Info(await (await call.CollectionAsync()).InfoAsync(call.Aborted)));
        RestApi.Read(app, host, "GET", "/collections/{collection_name}/exists", async call =>
            new JsonObject { ["exists"] = await call.Store.ExistsAsync(call.CollectionName, call.Aborted) });
        RestApi.Write(app, host, "PUT", "/collections/{collection_name}", async call =>
        {
            var body = await call.BodyAsync();
            var config = ToConfig(body);
            await call.Store.CreateAsync(call.CollectionName, config, Layout(body), call.Aborted);
            return true;
        });
        // As Qdrant: deleting a collection that does not exist answers false.
        RestApi.Write(app, host, "DELETE", "/collections/{collection_name}", async call => await call.Store.DropAsync(call.CollectionName, call.Aborted));
        RestApi.Write(app, host, "PATCH", "/collections/{collection_name}", _ =>
            throw new UnsupportedException("updating a collection's parameters (PATCH /collections/{name})"));
        RestApi.Write(app, host, "PUT", "/collections/{collection_name}/index", async call =>
        {
            var body = await call.BodyAsync();
            if (body["field_name"] is not JsonValue name || name.GetValueKind() != System.Text.Json.JsonValueKind.String)
            {
                throw new ArgumentException("field_name must be the payload field to index (a string).", "field_name");
            }
            return await AcceptedAsync(call);
        });
        RestApi.Write(app, host, "DELETE", "/collections/{collection_name}/index/{field_name}", AcceptedAsync);
    }

    /// <summary>A payload index request: the collection must exist (404 otherwise); nothing to build (see the class
    /// summary), so it is answered as a completed update.</summary>
    private static async Task<JsonNode?> AcceptedAsync(RestCall call)
    {
        await call.CollectionAsync();
        return new JsonObject { ["operation_id"] = 0, ["status"] = "completed" };
    }

    /// <summary>Qdrant's <c>shard_number</c>, <c>replication_factor</c> and <c>write_consistency_factor</c> of a create
    /// body (also the Qdrant gRPC API's), for a cluster node's layout; null when none is given.</summary>
    internal static LayoutRequest? Layout(JsonObject body)
    {
        const string where = "body";
        long? shards = QdrantJson.Count(body, "shard_number", where);
        long? replicas = QdrantJson.Count(body, "replication_factor", where);
        long? factor = QdrantJson.Count(body, "write_consistency_factor", where);
        return shards is null && replicas is null && factor is null
            ? null
            : new LayoutRequest(
                shards is { } s ? (s, "shard_number") : null,
                replicas is { } r ? (r, "replication_factor") : null,
                WriteConsistencyFactor: factor is { } f ? (f, "write_consistency_factor") : null);
    }

    /// <summary>The engine configuration from a create body (also the Qdrant gRPC API's, rewritten as this body).</summary>
    internal static CollectionConfig ToConfig(JsonObject body)
    {
        const string where = "body";
        foreach (string refused in (string[])["sparse_vectors", "init_from", "sharding_method"])
        {
            QdrantJson.Refuse(body, refused, where);
        }
        var vectors = QdrantJson.Object(body, "vectors", where)
            ?? throw new ArgumentException("vectors is missing; give vectors: {size, distance}.", "vectors");
        if (vectors["size"] is null)
        {
            throw new UnsupportedException($"named vectors (vectors: {{{string.Join(", ", vectors.Select(p => $"'{p.Key}'"))}}}); give vectors: {{size, distance}}");
        }
        foreach (string refused in (string[])["multivector_config"])
        {
            QdrantJson.Refuse(vectors, refused, "vectors");
        }
        if (vectors["datatype"] is JsonValue datatype && datatype.ToString() != "float32")
        {
            throw new UnsupportedException($"vectors.datatype '{datatype}' (VectorDb takes float32 vectors and quantizes them itself)");
        }
        long size = QdrantJson.Count(vectors, "size", "vectors") ?? 0;
        if (size is < 1 or > int.MaxValue)
        {
            throw new ArgumentException($"vectors.size is {size}; set the vector dimension (at least 1).", "vectors.size");
        }
        var metric = vectors["distance"]?.ToString() switch
        {
            "Cosine" => Metric.Cosine,
            "Dot" => Metric.InnerProduct,
            "Euclid" => Metric.L2,
            "Manhattan" => throw new UnsupportedException("vectors.distance 'Manhattan'"),
            var other => throw new ArgumentException($"vectors.distance is '{other}'; use Cosine, Dot or Euclid.", "vectors.distance"),
        };
        var extra = QdrantJson.Object(body, "vectordb", where) ?? [];
        foreach (var (name, _) in extra)
        {
            if (name is not ("bits" or "scheme" or "originals" or "index" or "nlist"))
            {
                throw new ArgumentException($"vectordb.{name} is not a VectorDb option; use bits, scheme, originals, index or nlist.", "vectordb");
            }
        }
        long bits = QdrantJson.Count(extra, "bits", "vectordb") ?? CollectionConfig.DefaultBits;
        if (bits is < 1 or > 8)
        {
            throw new ArgumentException($"vectordb.bits is {bits}; use 1..8.", "vectordb.bits");
        }
        var scheme = extra["scheme"]?.ToString() switch
        {
            null or "eden-unbiased" => QuantizerScheme.EdenUnbiased,
            "eden-biased" => QuantizerScheme.EdenBiased,
            "tq-mse" => QuantizerScheme.TurboQuantMse,
            "tq-prod" => QuantizerScheme.TurboQuantProd,
            var other => throw new ArgumentException($"vectordb.scheme is '{other}'; use eden-unbiased, eden-biased, tq-mse or tq-prod.", "vectordb.scheme"),
        };
        var originals = extra["originals"]?.ToString() switch
        {
            null or "float32" => OriginalsFormat.Float32,
            "float16" => OriginalsFormat.Float16,
            "none" => OriginalsFormat.None,
            var other => throw new ArgumentException($"vectordb.originals is '{other}'; use float32, float16 or none.", "vectordb.originals"),
        };
        var index = extra["index"]?.ToString() switch
        {
            null or "auto" or "ivf" => IndexLayout.Ivf,
            "flat" => IndexLayout.Flat,
            var other => throw new ArgumentException($"vectordb.index is '{other}'; use auto, ivf or flat.", "vectordb.index"),
        };
        long nlist = QdrantJson.Count(extra, "nlist", "vectordb") ?? 0;
        if (nlist > int.MaxValue)
        {
            throw new ArgumentException($"vectordb.nlist {nlist} is too large.", "vectordb.nlist");
        }
        return new CollectionConfig((int)size, metric, scheme, (int)bits, originals, index, (int)nlist);
    }

    /// <summary>Qdrant's collection info, with VectorDb's own figures under <c>vectordb</c>.</summary>
    private static JsonObject Info(StoredCollectionInfo stored)
    {
        var info = stored.Info;
        var config = info.Config;
        return new JsonObject
        {
            ["status"] = "green",
            ["optimizer_status"] = "ok",
            ["indexed_vectors_count"] = info.PointsCount,
            ["points_count"] = info.PointsCount,
            ["segments_count"] = 1,
            ["config"] = new JsonObject
            {
                ["params"] = new JsonObject
                {
                    ["vectors"] = new JsonObject { ["size"] = config.Dimension, ["distance"] = DistanceName(config.Metric) },
                    ["shard_number"] = stored.Shards,
                    ["replication_factor"] = stored.Replicas,
                    ["write_consistency_factor"] = stored.WriteConsistency,
                    ["on_disk_payload"] = true,
                },
                ["hnsw_config"] = new JsonObject { ["m"] = 0, ["ef_construct"] = 0, ["full_scan_threshold"] = 0, ["on_disk"] = false },
                ["optimizer_config"] = new JsonObject
                {
                    ["deleted_threshold"] = 0.2, ["vacuum_min_vector_number"] = 1000, ["default_segment_number"] = 1,
                    ["indexing_threshold"] = 0, ["flush_interval_sec"] = 1,
                },
                ["wal_config"] = new JsonObject { ["wal_capacity_mb"] = 0, ["wal_segments_ahead"] = 0 },
                ["quantization_config"] = null,
            },
            ["payload_schema"] = new JsonObject(),
            ["vectordb"] = VectorDbInfo(info),
        };
    }

    /// <summary>VectorDb's own configuration and figures (REST: the <c>vectordb</c> field of the collection info;
    /// Qdrant gRPC: the <c>vectordb</c> key of the config's metadata).</summary>
    internal static JsonObject VectorDbInfo(VectorDb.CollectionInfo info)
    {
        var config = info.Config;
        return new JsonObject
        {
            ["bits"] = config.Bits,
            ["scheme"] = config.Scheme switch
            {
                QuantizerScheme.EdenUnbiased => "eden-unbiased",
                QuantizerScheme.EdenBiased => "eden-biased",
                QuantizerScheme.TurboQuantMse => "tq-mse",
                _ => "tq-prod",
            },
            ["originals"] = config.Originals.ToString().ToLowerInvariant(),
            ["index"] = config.Index == IndexLayout.Ivf ? "ivf" : "flat",
            ["ivf_lists"] = info.IvfLists,
            ["bytes_on_disk"] = info.BytesOnDisk,
            ["bytes_in_memory"] = info.BytesInMemory,
            ["code_bytes_per_vector"] = info.CodeBytesPerVector,
        };
    }

    public static string DistanceName(Metric metric) => metric switch
    {
        Metric.Cosine => "Cosine",
        Metric.InnerProduct => "Dot",
        _ => "Euclid",
    };
}
