using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using VectorDb.Api.V1;

namespace VectorDb.Client;

/// <summary>
/// A client of one VectorDb server. Thread-safe; create one per server and reuse it (it owns one HTTP/2 channel).
/// Failed calls throw <see cref="RpcException"/> with the server's status code and a message that says what to fix.
/// The generated stubs are exposed as <see cref="Collections"/> and <see cref="Points"/> for anything not wrapped here.
/// </summary>
/// <example><code>
/// using var client = new VectorDbClient("http://127.0.0.1:6334", apiKey: "secret");
/// await client.CreateCollectionAsync("docs", dimension: 384, Distance.Cosine);
/// await client.UpsertAsync("docs", [VectorDbClient.Point(1, embedding)]);
/// var hits = await client.SearchAsync("docs", query, limit: 10);
/// </code></example>
public sealed partial class VectorDbClient : IDisposable
{
    private readonly GrpcChannel _channel;

    /// <param name="address">Server URL, e.g. http://127.0.0.1:6334 (https for TLS).</param>
    /// <param name="apiKey">Sent as the <c>api-key</c> header of every call when given.</param>
    /// <param name="channelOptions">Channel settings (message sizes, HTTP handler); sensible defaults when null.</param>
    public VectorDbClient(string address, string? apiKey = null, GrpcChannelOptions? channelOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        _channel = GrpcChannel.ForAddress(address, channelOptions ?? new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 64 << 20,
            MaxSendMessageSize = 64 << 20,
        });
        CallInvoker invoker = apiKey is null
            ? _channel.CreateCallInvoker()
            : _channel.Intercept(metadata =>
            {
                metadata.Add("api-key", apiKey);
                return metadata;
            });
        Collections = new Collections.CollectionsClient(invoker);
        Points = new Points.PointsClient(invoker);
    }

    /// <summary>The generated Collections stub (same channel and key).</summary>
    public Collections.CollectionsClient Collections { get; }

    /// <summary>The generated Points stub (same channel and key).</summary>
    public Points.PointsClient Points { get; }

    /// <summary>A numeric point id.</summary>
    public static PointId Id(ulong id) => new() { Num = id };

    /// <summary>A UUID point id (sent in the canonical lowercase 8-4-4-4-12 form).</summary>
    public static PointId Id(Guid id) => new() { Uuid = id.ToString("D") };

    /// <summary>A point with a numeric id, a vector and an optional payload.</summary>
    public static PointStruct Point(ulong id, ReadOnlySpan<float> vector, IDictionary<string, Value>? payload = null) =>
        Point(Id(id), vector, payload);

    /// <summary>A point with a UUID id, a vector and an optional payload.</summary>
    public static PointStruct Point(Guid id, ReadOnlySpan<float> vector, IDictionary<string, Value>? payload = null) =>
        Point(Id(id), vector, payload);

    /// <summary>A point with the given id, a vector and an optional payload.</summary>
    public static PointStruct Point(PointId id, ReadOnlySpan<float> vector, IDictionary<string, Value>? payload = null)
    {
        var point = new PointStruct { Id = id, Vector = new Vector() };
        point.Vector.Data.Add(vector.ToArray());
        if (payload is not null)
        {
            point.Payload.Add(payload);
        }
        return point;
    }

    public async Task CreateCollectionAsync(string name, ulong dimension, Distance distance, uint bits = 0,
        QuantizationScheme scheme = QuantizationScheme.Default, OriginalsStorage originals = OriginalsStorage.OriginalsDefault,
        IndexType index = IndexType.IndexAuto, CancellationToken cancellationToken = default)
    {
        await Collections.CreateAsync(new CreateCollectionRequest
        {
            CollectionName = name,
            Vectors = new VectorParams { Size = dimension, Distance = distance },
            Quantization = new QuantizationConfig { Scheme = scheme, Bits = bits },
            Originals = originals,
            Index = new IndexParams { Type = index },
        }, cancellationToken: cancellationToken);
    }

    public async Task<CollectionInfo> GetCollectionAsync(string name, CancellationToken cancellationToken = default) =>
        (await Collections.GetAsync(new GetCollectionInfoRequest { CollectionName = name }, cancellationToken: cancellationToken)).Result;

    public async Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken = default) =>
        [.. (await Collections.ListAsync(new ListCollectionsRequest(), cancellationToken: cancellationToken)).Collections.Select(c => c.Name)];

    public async Task DeleteCollectionAsync(string name, CancellationToken cancellationToken = default) =>
        await Collections.DeleteAsync(new DeleteCollectionRequest { CollectionName = name }, cancellationToken: cancellationToken);

    /// <summary>Upserts one batch; with <paramref name="wait"/> (default) the call returns once it is durable.</summary>
    public async Task<UpdateResult> UpsertAsync(string name, IEnumerable<PointStruct> points, bool wait = true, CancellationToken cancellationToken = default)
    {
        var request = new UpsertPointsRequest { CollectionName = name, Wait = wait };
        request.Points.AddRange(points);
        return (await Points.UpsertAsync(request, cancellationToken: cancellationToken)).Result;
    }

    /// <summary>
    /// Bulk import over one client stream: each batch is one message. Returns once the server has made every batch
    /// durable (status COMPLETED). <paramref name="progress"/> receives the number of points sent so far.
    /// </summary>
    public async Task<UpdateResult> UpsertStreamAsync(string name, IEnumerable<IReadOnlyList<PointStruct>> batches,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        using var call = Points.UpsertStream(cancellationToken: cancellationToken);
        long sent = 0;
        try
        {
            foreach (var batch in batches)
            {
                var request = new UpsertPointsRequest { CollectionName = name, Wait = true };
                request.Points.AddRange(batch);
                await call.RequestStream.WriteAsync(request, cancellationToken);
                sent += batch.Count;
                progress?.Report(sent);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The server can end the call before it has read every batch (a read-only key, a bad batch); the write then
            // fails with whatever the transport saw. The call's own status says why: surface that.
            await call.ResponseAsync;
            throw;
        }
        return (await call).Result;
    }

    public Task<UpdateResult> DeleteAsync(string name, IEnumerable<ulong> ids, bool wait = true, CancellationToken cancellationToken = default) =>
        DeleteAsync(name, ids.Select(Id), wait, cancellationToken);

    /// <summary>Deletes points by id (numbers or UUIDs); missing ids are ignored.</summary>
    public async Task<UpdateResult> DeleteAsync(string name, IEnumerable<PointId> ids, bool wait = true, CancellationToken cancellationToken = default)
    {
        var selector = new PointsSelector { Points = new PointsIdsList() };
        selector.Points.Ids.AddRange(ids);
        return (await Points.DeleteAsync(new DeletePointsRequest { CollectionName = name, Wait = wait, Points = selector },
            cancellationToken: cancellationToken)).Result;
    }

    public async Task<UpdateResult> DeleteAsync(string name, Filter filter, bool wait = true, CancellationToken cancellationToken = default) =>
        (await Points.DeleteAsync(new DeletePointsRequest { CollectionName = name, Wait = wait, Points = new PointsSelector { Filter = filter } },
            cancellationToken: cancellationToken)).Result;

    public Task<IReadOnlyList<RetrievedPoint>> GetAsync(string name, IEnumerable<ulong> ids, bool withPayload = true, bool withVectors = false,
        CancellationToken cancellationToken = default) =>
        GetAsync(name, ids.Select(Id), withPayload, withVectors, cancellationToken);

    /// <summary>Reads points by id (numbers or UUIDs), in the order asked.</summary>
    public async Task<IReadOnlyList<RetrievedPoint>> GetAsync(string name, IEnumerable<PointId> ids, bool withPayload = true, bool withVectors = false,
        CancellationToken cancellationToken = default)
    {
        var request = new GetPointsRequest { CollectionName = name, WithPayload = withPayload, WithVectors = withVectors };
        request.Ids.AddRange(ids);
        return (await Points.GetAsync(request, cancellationToken: cancellationToken)).Result;
    }

    /// <summary>One page of points in id order from <paramref name="offset"/> on (null: the first); the page's
    /// <see cref="ScrollPointsResponse.NextPageOffset"/> (null on the last page) is the next call's offset.</summary>
    public async Task<ScrollPointsResponse> ScrollAsync(string name, PointId? offset = null, uint limit = 10, Filter? filter = null,
        bool withPayload = true, bool withVectors = false, CancellationToken cancellationToken = default) =>
        await Points.ScrollAsync(new ScrollPointsRequest
        {
            CollectionName = name, Offset = offset, Limit = limit, Filter = filter, WithPayload = withPayload, WithVectors = withVectors,
        }, cancellationToken: cancellationToken);

    public async Task<ulong> CountAsync(string name, Filter? filter = null, CancellationToken cancellationToken = default) =>
        (await Points.CountAsync(new CountPointsRequest { CollectionName = name, Filter = filter }, cancellationToken: cancellationToken)).Result.Count;

    /// <summary>The best <paramref name="limit"/> points for <paramref name="vector"/>, best first.</summary>
    public async Task<IReadOnlyList<ScoredPoint>> SearchAsync(string name, ReadOnlyMemory<float> vector, ulong limit, Filter? filter = null,
        bool withPayload = false, SearchParams? parameters = null, CancellationToken cancellationToken = default) =>
        (await Points.SearchAsync(SearchRequest(name, vector, limit, filter, withPayload, parameters), cancellationToken: cancellationToken)).Result;

    /// <summary>Several searches in one call (results in query order).</summary>
    public async Task<IReadOnlyList<IReadOnlyList<ScoredPoint>>> SearchBatchAsync(string name, IEnumerable<SearchPointsRequest> searches,
        CancellationToken cancellationToken = default)
    {
        var request = new SearchBatchPointsRequest { CollectionName = name };
        request.Searches.AddRange(searches);
        var response = await Points.SearchBatchAsync(request, cancellationToken: cancellationToken);
        return [.. response.Result.Select(r => (IReadOnlyList<ScoredPoint>)r.Result)];
    }

    /// <summary>A search request (for <see cref="SearchBatchAsync"/> or the raw stub).</summary>
    public static SearchPointsRequest SearchRequest(string name, ReadOnlyMemory<float> vector, ulong limit, Filter? filter = null,
        bool withPayload = false, SearchParams? parameters = null)
    {
        var request = new SearchPointsRequest { CollectionName = name, Limit = limit, Filter = filter, WithPayload = withPayload, Params = parameters };
        request.Vector.Add(vector.ToArray());
        return request;
    }

    public void Dispose() => _channel.Dispose();
}
