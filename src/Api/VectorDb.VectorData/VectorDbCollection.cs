using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using VectorDb.VectorData;
using EngineFilter = VectorDb.Filter;

namespace VectorDb;

/// <summary>
/// One VectorDb collection behind <see cref="VectorStoreCollection{TKey, TRecord}"/>. Records map to points: the
/// key property is the point id (ulong, Guid or UUID string: <see cref="RecordKeys"/>), the vector property the vector, data properties the JSON payload (by storage
/// name). Search filters (LINQ expressions) are translated to VectorDb payload filters and run inside the scan.
/// Distance functions: CosineSimilarity (default), CosineDistance, DotProductSimilarity, EuclideanSquaredDistance,
/// EuclideanDistance.
/// </summary>
public sealed class VectorDbCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>
    where TKey : notnull
    where TRecord : class
{
    private readonly VectorDatabase _database;
    private readonly CollectionModel _model;
    private readonly VectorPropertyModel _vector;
    private readonly KeyPropertyModel _key;

    public VectorDbCollection(VectorDatabase database, string name, VectorStoreCollectionDefinition? definition = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!RecordKeys.IsSupported(typeof(TKey)))
        {
            throw new NotSupportedException($"VectorDb keys are ulong, Guid or UUID strings; got TKey = {typeof(TKey).Name}.");
        }
        _database = database;
        Name = name;
        _model = new VectorDbModelBuilder().Build(typeof(TRecord), typeof(TKey), definition, defaultEmbeddingGenerator: null);
        _vector = _model.VectorProperty;
        _key = _model.KeyProperty;
        if (_model.EmbeddingGenerationRequired)
        {
            throw new NotSupportedException("VectorDb stores float vectors; generate embeddings before upserting (embedding generators are not supported yet).");
        }
        Metric = _vector.DistanceFunction switch
        {
            null or DistanceFunction.CosineSimilarity or DistanceFunction.CosineDistance => Metric.Cosine,
            DistanceFunction.DotProductSimilarity => Metric.InnerProduct,
            DistanceFunction.EuclideanSquaredDistance or DistanceFunction.EuclideanDistance => Metric.L2,
            var other => throw new NotSupportedException($"distance function '{other}' is not supported by VectorDb; use CosineSimilarity, CosineDistance, DotProductSimilarity, EuclideanSquaredDistance or EuclideanDistance."),
        };
    }

    public override string Name { get; }

    /// <summary>The engine metric the vector property's distance function maps to.</summary>
    public Metric Metric { get; }

    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(_database.TryGetCollection(Name, out _));

    public override async Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        if (_database.TryGetCollection(Name, out _))
        {
            return;
        }
        try
        {
            await _database.CreateCollectionAsync(Name, new CollectionConfig(_vector.Dimensions, Metric), cancellationToken).ConfigureAwait(false);
        }
        catch (CollectionAlreadyExistsException)
        {
            // created concurrently
        }
    }

    public override async Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) =>
        await new VectorDbVectorStore(_database).EnsureCollectionDeletedAsync(Name, cancellationToken).ConfigureAwait(false);

    public override async Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        await foreach (var record in GetAsync([key], options, cancellationToken).ConfigureAwait(false))
        {
            return record;
        }
        return null;
    }

    /// <summary>Records for the keys that exist (missing keys are skipped), in the order asked.</summary>
    public override async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var ids = keys.Select(k => RecordKeys.ToPointId(k)).ToList();
        if (ids.Count == 0)
        {
            yield break;
        }
        var collection = Collection();
        IReadOnlyList<RetrievedPoint> points;
        try
        {
            points = await collection.GetAsync(ids, withPayload: true, withVector: options?.IncludeVectors ?? false, cancellationToken).ConfigureAwait(false);
        }
        catch (PointNotFoundException missing)
        {
            var present = ids.Except(missing.Missing).ToList();
            points = present.Count == 0 ? [] : await collection.GetAsync(present, true, options?.IncludeVectors ?? false, cancellationToken).ConfigureAwait(false);
        }
        foreach (var point in points)
        {
            yield return ToRecord(point.Id, point.Payload, point.Vector);
        }
    }

    /// <summary>Records passing <paramref name="filter"/>, in ascending key order (OrderBy is not supported).</summary>
    public override async IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top,
        FilteredRecordRetrievalOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        if (options?.OrderBy is not null)
        {
            throw new NotSupportedException("VectorDb returns filtered records in key order; OrderBy is not supported.");
        }
        var collection = Collection();
        var ids = collection.ListIds(Translate(filter), options?.Skip ?? 0, top);
        if (ids.Count == 0)
        {
            yield break;
        }
        foreach (var point in await collection.GetAsync(ids, true, options?.IncludeVectors ?? false, cancellationToken).ConfigureAwait(false))
        {
            yield return ToRecord(point.Id, point.Payload, point.Vector);
        }
    }

    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    public override async Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        var ids = keys.Select(k => RecordKeys.ToPointId(k)).ToList();
        if (ids.Count > 0)
        {
            await Collection().DeleteAsync(ids, wait: true, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        var collection = Collection();
        foreach (var chunk in records.Select(ToPoint).Chunk(_database.Options.Limits.MaxBatchSize))
        {
            await collection.UpsertAsync(chunk, wait: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Nearest records to <paramref name="searchValue"/> (a float vector: ReadOnlyMemory&lt;float&gt; or float[]).
    /// Scores follow the distance function: similarities larger-is-better, distances smaller-is-better.</summary>
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        ReadOnlyMemory<float> query = searchValue switch
        {
            ReadOnlyMemory<float> memory => memory,
            float[] array => array,
            _ => throw new NotSupportedException($"VectorDb searches with a float vector (ReadOnlyMemory<float> or float[]); got {typeof(TInput).Name}."),
        };
        int skip = options?.Skip ?? 0;
        var results = await Collection().SearchAsync(new SearchRequest(query, top + skip)
        {
            Filter = options?.Filter is { } filter ? Translate(filter) : null,
            WithPayload = true,
            WithVector = options?.IncludeVectors ?? false,
        }, cancellationToken).ConfigureAwait(false);
        foreach (var hit in results.Skip(skip))
        {
            double score = ConvertScore(hit.Score);
            if (options?.ScoreThreshold is { } threshold && !PassesThreshold(score, threshold))
            {
                continue;
            }
            yield return new VectorSearchResult<TRecord>(ToRecord(hit.Id, hit.Payload, hit.Vector), score);
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(VectorDatabase) ? _database
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    private VectorCollection Collection() =>
        _database.TryGetCollection(Name, out var collection)
            ? collection
            : throw new VectorStoreException($"Collection '{Name}' does not exist; call EnsureCollectionExistsAsync first.");

    private EngineFilter Translate(Expression<Func<TRecord, bool>> filter) => new FilterTranslator(_model, filter.Parameters[0]).Translate(filter.Body);

    /// <summary>Engine scores are cosine similarity, inner product or squared L2 distance; convert to the declared
    /// distance function.</summary>
    private double ConvertScore(float score) => _vector.DistanceFunction switch
    {
        DistanceFunction.CosineDistance => 1 - score,
        DistanceFunction.EuclideanDistance => Math.Sqrt(score),
        _ => score,
    };

    private bool PassesThreshold(double score, double threshold) => _vector.DistanceFunction switch
    {
        DistanceFunction.CosineDistance or DistanceFunction.EuclideanDistance or DistanceFunction.EuclideanSquaredDistance => score <= threshold,
        _ => score >= threshold,
    };

    private PointInput ToPoint(TRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        PointId id = RecordKeys.ToPointId(_key.GetValueAsObject(record));
        ReadOnlyMemory<float> vector = _vector.GetValueAsObject(record) switch
        {
            ReadOnlyMemory<float> memory => memory,
            float[] array => array,
            null => throw new ArgumentException($"record {id} has no vector in '{_vector.ModelName}'.", nameof(record)),
            var other => throw new ArgumentException($"record {id}: '{_vector.ModelName}' is a {other.GetType().Name}, not a float vector.", nameof(record)),
        };
        var payload = new JsonObject();
        foreach (var property in _model.DataProperties)
        {
            payload[property.StorageName] = JsonSerializer.SerializeToNode(property.GetValueAsObject(record), property.Type);
        }
        return new PointInput(id, vector, payload);
    }

    private TRecord ToRecord(PointId id, JsonObject? payload, float[]? vector)
    {
        var record = _model.CreateRecord<TRecord>()!;
        _key.SetValueAsObject(record, RecordKeys.ToKey(id, _key.Type));
        foreach (var property in _model.DataProperties)
        {
            if (payload is not null && payload.TryGetPropertyValue(property.StorageName, out var node) && node is not null)
            {
                property.SetValueAsObject(record, node.Deserialize(property.Type));
            }
        }
        if (vector is not null)
        {
            _vector.SetValueAsObject(record, _vector.Type == typeof(float[]) ? vector : new ReadOnlyMemory<float>(vector));
        }
        return record;
    }
}
