using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using VectorDb.Tests.Support;
using static Qdrant.Client.Grpc.Conditions;

// Search and SearchBatch are deprecated in Qdrant's API in favour of Query, and still served (older clients call them).
#pragma warning disable CS0612

namespace VectorDb.Server.Tests;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using Qdrant.Client.Grpc;

/// <summary>
/// The error cases of <see cref="ErrorStatusTests"/> (vectordb.v1) and <see cref="RestErrorStatusTests"/> (REST), over
/// Qdrant's gRPC API on a real server on 127.0.0.1 (served beside vectordb.v1 on the gRPC port, the default), sent
/// with the generated stubs of Qdrant's .NET client: the gRPC status Qdrant uses, a message that says what to fix,
/// and the collection unchanged afterwards (catalogue, count, every point with payload and vector, a query).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xUnit calls DisposeAsync (IAsyncLifetime), which disposes the channel.")]
public sealed class QdrantGrpcErrorStatusTests : IAsyncLifetime
{
    private const string ReadWriteKey = ErrorCaseServer.ReadWriteKey;
    private const string ReadOnlyKey = ErrorCaseServer.ReadOnlyKey;
    private InProcessServer _server = null!;
    private GrpcChannel _channel = null!;
    private QdrantGrpcClient _grpc = null!;

    public async Task InitializeAsync()
    {
        _server = await ErrorCaseServer.StartAsync();
        _channel = GrpcChannel.ForAddress(_server.Address);
        _grpc = new QdrantGrpcClient(_channel);
        await _grpc.Collections.CreateAsync(new CreateCollection
        {
            CollectionName = "c",
            VectorsConfig = new VectorsConfig { Params = new VectorParams { Size = 4, Distance = Distance.Euclid } },
        }, Key(ReadWriteKey));
        await _grpc.Points.UpsertAsync(Upsert("c", [.. Enumerable.Range(1, 10).Select(i => Point((ulong)i, [i, 0, 0, 1], i))]), Key(ReadWriteKey));
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    private static Metadata Key(string? key) => key is null ? new Metadata() : new Metadata { { "api-key", key } };

    private static PointStruct Point(PointId id, float[] vector, long n, string? text = null)
    {
        var point = new PointStruct { Id = id, Vectors = vector, Payload = { ["n"] = n } };
        if (text is not null)
        {
            point.Payload["text"] = text;
        }
        return point;
    }

    private static UpsertPoints Upsert(string collection, PointStruct[] points) =>
        new() { CollectionName = collection, Wait = true, Points = { points } };

    private static QueryPoints Query(string collection, float[] vector, ulong? limit = null, Filter? filter = null)
    {
        var query = new QueryPoints { CollectionName = collection, Query = vector, Filter = filter };
        if (limit is { } l)
        {
            query.Limit = l;
        }
        return query;
    }

    private static SearchPoints Search(float[] vector, ulong limit) => new() { CollectionName = "c", Vector = { vector }, Limit = limit };

    private const string Rw = ReadWriteKey;

    public static TheoryData<string> Cases => [.. s_cases.Keys];

    private static readonly Dictionary<string, (StatusCode Status, string Message, string? Key, Func<QdrantGrpcClient, Metadata, Task> Call)> s_cases = new()
    {
        ["wrong dimension upsert"] = (StatusCode.InvalidArgument, "dimension 4", Rw, (g, h) => g.Points.UpsertAsync(Upsert("c", [Point(99, [1, 2, 3], 0)]), h).ResponseAsync),
        ["wrong dimension query"] = (StatusCode.InvalidArgument, "dimension 4", Rw, (g, h) => g.Points.QueryAsync(Query("c", [1, 2]), h).ResponseAsync),
        ["NaN in vector"] = (StatusCode.InvalidArgument, "finite", Rw, (g, h) => g.Points.UpsertAsync(Upsert("c", [Point(99, [1, float.NaN, 3, 4], 0)]), h).ResponseAsync),
        ["Infinity in search"] = (StatusCode.InvalidArgument, "finite", Rw, (g, h) => g.Points.SearchAsync(Search([1, 2, float.NegativeInfinity, 4], 3), h).ResponseAsync),
        ["NaN in one query of a batch"] = (StatusCode.InvalidArgument, "finite", Rw, (g, h) => g.Points.QueryBatchAsync(new QueryBatchPoints
        {
            CollectionName = "c", QueryPoints = { Query("", [1, 2, 3, 4], 3), Query("", [1, float.NaN, 3, 4], 3) },
        }, h).ResponseAsync),
        ["wrong dimension in a search batch"] = (StatusCode.InvalidArgument, "dimension 4", Rw, (g, h) => g.Points.SearchBatchAsync(new SearchBatchPoints
        {
            CollectionName = "c", SearchPoints = { Search([1, 2], 3) },
        }, h).ResponseAsync),
        ["batch naming another collection"] = (StatusCode.InvalidArgument, "names collection 'd'", Rw, (g, h) => g.Points.QueryBatchAsync(new QueryBatchPoints
        {
            CollectionName = "c", QueryPoints = { Query("d", [1, 2, 3, 4], 3) },
        }, h).ResponseAsync),
        ["unknown collection"] = (StatusCode.NotFound, "'nope' does not exist", Rw, (g, h) => g.Points.QueryAsync(Query("nope", [1, 2, 3, 4]), h).ResponseAsync),
        ["unknown collection upsert"] = (StatusCode.NotFound, "'nope' does not exist", Rw, (g, h) => g.Points.UpsertAsync(Upsert("nope", [Point(1, [1, 2, 3, 4], 0)]), h).ResponseAsync),
        ["unknown collection info"] = (StatusCode.NotFound, "'nope' does not exist", Rw, (g, h) => g.Collections.GetAsync(new GetCollectionInfoRequest { CollectionName = "nope" }, h).ResponseAsync),
        ["collection already exists"] = (StatusCode.AlreadyExists, "already exists", Rw, (g, h) => g.Collections.CreateAsync(new CreateCollection
        {
            CollectionName = "c", VectorsConfig = new VectorsConfig { Params = new VectorParams { Size = 8, Distance = Distance.Cosine } },
        }, h).ResponseAsync),
        ["create without vectors"] = (StatusCode.InvalidArgument, "vectors_config is missing", Rw, (g, h) => g.Collections.CreateAsync(new CreateCollection { CollectionName = "d" }, h).ResponseAsync),
        ["create with an unknown VectorDb option"] = (StatusCode.InvalidArgument, "vectordb.speed is not a VectorDb option", Rw, (g, h) => g.Collections.CreateAsync(new CreateCollection
        {
            CollectionName = "d", VectorsConfig = new VectorsConfig { Params = new VectorParams { Size = 4, Distance = Distance.Dot } },
            Metadata = { ["vectordb"] = new Value { StructValue = new Struct { Fields = { ["speed"] = 3 } } } },
        }, h).ResponseAsync),
        ["limit = 0"] = (StatusCode.InvalidArgument, "must be 1..100", Rw, (g, h) => g.Points.QueryAsync(Query("c", [1, 2, 3, 4], 0), h).ResponseAsync),
        ["limit above the maximum"] = (StatusCode.InvalidArgument, "must be 1..100", Rw, (g, h) => g.Points.QueryAsync(Query("c", [1, 2, 3, 4], 101), h).ResponseAsync),
        ["scroll limit above the maximum"] = (StatusCode.InvalidArgument, "limit 100001 must be", Rw, (g, h) => g.Points.ScrollAsync(new ScrollPoints { CollectionName = "c", Limit = 100_001 }, h).ResponseAsync),
        ["empty batch"] = (StatusCode.InvalidArgument, "empty", Rw, (g, h) => g.Points.UpsertAsync(Upsert("c", []), h).ResponseAsync),
        ["batch above the limit"] = (StatusCode.InvalidArgument, "limit of 50", Rw, (g, h) => g.Points.UpsertAsync(
            Upsert("c", [.. Enumerable.Range(100, 51).Select(i => Point((ulong)i, [1, 2, 3, 4], 0))]), h).ResponseAsync),
        ["duplicate ids in one batch"] = (StatusCode.InvalidArgument, "more than once", Rw, (g, h) => g.Points.UpsertAsync(
            Upsert("c", [Point(5, [9, 9, 9, 9], 0), Point(5, [8, 8, 8, 8], 0)]), h).ResponseAsync),
        ["point without a vector"] = (StatusCode.InvalidArgument, "points[0].vectors is missing", Rw, (g, h) => g.Points.UpsertAsync(
            Upsert("c", [new PointStruct { Id = 99ul }]), h).ResponseAsync),
        ["malformed filter: empty condition"] = (StatusCode.InvalidArgument, "filter.must[0] is empty", Rw, (g, h) => g.Points.DeleteAsync(new DeletePoints
        {
            CollectionName = "c", Points = new PointsSelector { Filter = new Filter { Must = { new Condition() } } },
        }, h).ResponseAsync),
        ["malformed filter: match and range"] = (StatusCode.InvalidArgument, "exactly one of match or range", Rw, (g, h) => g.Points.DeleteAsync(new DeletePoints
        {
            CollectionName = "c",
            Points = new PointsSelector { Filter = new Filter { Must = { new Condition { Field = new FieldCondition { Key = "n", Match = new Match { Integer = 1 }, Range = new global::Qdrant.Client.Grpc.Range { Gt = 0 } } } } } },
        }, h).ResponseAsync),
        ["malformed filter: range without bounds"] = (StatusCode.InvalidArgument, "no bound", Rw, (g, h) => g.Points.CountAsync(new CountPoints
        {
            CollectionName = "c", Filter = Range("n", new global::Qdrant.Client.Grpc.Range()),
        }, h).ResponseAsync),
        ["payload too large"] = (StatusCode.InvalidArgument, "limit of collection 'c' is 256 bytes", Rw, (g, h) => g.Points.UpsertAsync(
            Upsert("c", [Point(99, [1, 2, 3, 4], 0, new string('x', 300))]), h).ResponseAsync),
        ["message too large"] = (StatusCode.ResourceExhausted, "", Rw, (g, h) => g.Points.UpsertAsync(
            Upsert("c", [Point(99, [1, 2, 3, 4], 0, new string('x', 2 << 20))]), h).ResponseAsync),
        ["malformed uuid id"] = (StatusCode.InvalidArgument, "UUID", Rw, (g, h) => g.Points.UpsertAsync(
            Upsert("c", [Point(new PointId { Uuid = "5c56c793-69f3-4fbf-87e6" }, [1, 2, 3, 4], 0)]), h).ResponseAsync),
        ["unparsable message"] = (StatusCode.InvalidArgument, "cannot be parsed as protobuf", Rw, (g, h) => RawUnaryAsync(g, "qdrant.Points", "Upsert", [0x0a, 0xff], h)),
        ["unsupported: named vectors"] = (StatusCode.InvalidArgument, "named vectors", Rw, (g, h) => g.Collections.CreateAsync(new CreateCollection
        {
            CollectionName = "d",
            VectorsConfig = new VectorsConfig { ParamsMap = new VectorParamsMap { Map = { ["text"] = new VectorParams { Size = 4, Distance = Distance.Cosine } } } },
        }, h).ResponseAsync),
        ["unsupported: prefetch"] = (StatusCode.InvalidArgument, "prefetch is not supported", Rw, (g, h) =>
        {
            var query = Query("c", [1, 2, 3, 4]);
            query.Prefetch.Add(new PrefetchQuery { Query = new float[] { 1, 2, 3, 4 } });
            return g.Points.QueryAsync(query, h).ResponseAsync;
        }),
        ["unsupported: query by point id"] = (StatusCode.InvalidArgument, "query by point id", Rw, (g, h) =>
            g.Points.QueryAsync(new QueryPoints { CollectionName = "c", Query = 3ul }, h).ResponseAsync),
        ["unsupported: full-text match"] = (StatusCode.InvalidArgument, "not supported", Rw, (g, h) => g.Points.CountAsync(new CountPoints
        {
            CollectionName = "c", Filter = MatchText("n", "x"),
        }, h).ResponseAsync),
        ["unsupported: geo condition"] = (StatusCode.InvalidArgument, "geo conditions", Rw, (g, h) => g.Points.CountAsync(new CountPoints
        {
            CollectionName = "c", Filter = GeoRadius("n", 1, 2, 3),
        }, h).ResponseAsync),
        ["unsupported method"] = (StatusCode.Unimplemented, "qdrant.Points/SetPayload is not supported", Rw, (g, h) => g.Points.SetPayloadAsync(new SetPayloadPoints
        {
            CollectionName = "c", Payload = { ["n"] = 1 }, PointsSelector = new PointsSelector { Points = new PointsIdsList { Ids = { 1ul } } },
        }, h).ResponseAsync),
        ["missing API key"] = (StatusCode.Unauthenticated, "missing API key", null, (g, h) => g.Points.UpsertAsync(Upsert("c", [Point(99, [1, 2, 3, 4], 0)]), h).ResponseAsync),
        ["wrong API key"] = (StatusCode.Unauthenticated, "not recognised", "wrong", (g, h) => g.Points.CountAsync(new CountPoints { CollectionName = "c" }, h).ResponseAsync),
        ["read-only key upsert"] = (StatusCode.PermissionDenied, "read-only", ReadOnlyKey, (g, h) => g.Points.UpsertAsync(Upsert("c", [Point(99, [1, 2, 3, 4], 0)]), h).ResponseAsync),
        ["read-only key delete"] = (StatusCode.PermissionDenied, "read-only", ReadOnlyKey, (g, h) => g.Points.DeleteAsync(new DeletePoints
        {
            CollectionName = "c", Points = new PointsSelector { Points = new PointsIdsList { Ids = { 1ul } } },
        }, h).ResponseAsync),
        ["read-only key drop"] = (StatusCode.PermissionDenied, "read-only", ReadOnlyKey, (g, h) => g.Collections.DeleteAsync(new DeleteCollection { CollectionName = "c" }, h).ResponseAsync),
        ["read-only key create"] = (StatusCode.PermissionDenied, "read-only", ReadOnlyKey, (g, h) => g.Collections.CreateAsync(new CreateCollection
        {
            CollectionName = "d", VectorsConfig = new VectorsConfig { Params = new VectorParams { Size = 4, Distance = Distance.Dot } },
        }, h).ResponseAsync),
        ["read-only key payload index"] = (StatusCode.PermissionDenied, "read-only", ReadOnlyKey, (g, h) => g.Points.CreateFieldIndexAsync(new CreateFieldIndexCollection
        {
            CollectionName = "c", FieldName = "n",
        }, h).ResponseAsync),
        ["read-only key, unsupported method (fails closed)"] = (StatusCode.PermissionDenied, "read-only", ReadOnlyKey, (g, h) => g.Points.ClearPayloadAsync(new ClearPayloadPoints
        {
            CollectionName = "c", Points = new PointsSelector { Points = new PointsIdsList { Ids = { 1ul } } },
        }, h).ResponseAsync),
    };

    /// <summary>Sends raw bytes as the request message of a unary method.</summary>
    private static Task RawUnaryAsync(QdrantGrpcClient grpc, string service, string method, byte[] body, Metadata headers)
    {
        var bytes = Marshallers.Create<byte[]>(b => b, b => b);
        var invoker = (CallInvoker)typeof(ClientBase).GetProperty("CallInvoker", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(grpc.Points)!;
        return invoker.AsyncUnaryCall(new Method<byte[], byte[]>(MethodType.Unary, service, method, bytes, bytes), null, new CallOptions(headers), body).ResponseAsync;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ErrorCase_GetsQdrantsStatus_AndChangesNothing(string name)
    {
        var (status, message, key, call) = s_cases[name];
        string before = await SnapshotAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call(_grpc, Key(key)));
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task ReadOnlyKey_Reads_AndHealthIsOpen()
    {
        var readOnly = Key(ReadOnlyKey);
        Assert.Equal(10ul, (await _grpc.Points.CountAsync(new CountPoints { CollectionName = "c" }, readOnly)).Result.Count);
        Assert.Equal(3, (await _grpc.Points.QueryAsync(Query("c", [1, 0, 0, 1], 3), readOnly)).Result.Count);
        Assert.Equal(3, (await _grpc.Points.ScrollAsync(new ScrollPoints { CollectionName = "c", Limit = 3 }, readOnly)).Result.Count);
        Assert.True((await _grpc.Collections.CollectionExistsAsync(new CollectionExistsRequest { CollectionName = "c" }, readOnly)).Result.Exists);
        Assert.Equal(4ul, (await _grpc.Collections.GetAsync(new GetCollectionInfoRequest { CollectionName = "c" }, readOnly)).Result.Config.Params.VectorsConfig.Params.Size);
        var health = await _grpc.Qdrant.HealthCheckAsync(new HealthCheckRequest()); // no key, as in Qdrant
        Assert.StartsWith("1.", health.Version, StringComparison.Ordinal);
    }

    /// <summary>Everything observable about collection "c" and the catalogue, read over Qdrant's gRPC API.</summary>
    private async Task<string> SnapshotAsync()
    {
        var headers = Key(ReadWriteKey);
        var collections = await _grpc.Collections.ListAsync(new ListCollectionsRequest(), headers);
        var count = await _grpc.Points.CountAsync(new CountPoints { CollectionName = "c" }, headers);
        var all = await _grpc.Points.ScrollAsync(new ScrollPoints
        {
            CollectionName = "c", Limit = 1000, WithPayload = new WithPayloadSelector { Enable = true }, WithVectors = new WithVectorsSelector { Enable = true },
        }, headers);
        var query = await _grpc.Points.QueryAsync(Query("c", [3, 0, 0, 1], 5), headers);
        var formatter = JsonFormatter.Default;
        return string.Join("|", string.Join(",", collections.Collections.Select(c => c.Name)), count.Result.Count,
            formatter.Format(new ScrollResponse { Result = { all.Result }, NextPageOffset = all.NextPageOffset }),
            formatter.Format(new QueryResponse { Result = { query.Result } }));
    }
}
