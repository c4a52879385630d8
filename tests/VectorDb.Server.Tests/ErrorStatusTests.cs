using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Client;

namespace VectorDb.Server.Tests;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>
/// Every error case of the issue, end to end over a real server on 127.0.0.1: the right gRPC status, a message that
/// says what to fix, and the collection unchanged afterwards (count, every point's vector and payload, a search).
/// </summary>
public sealed class ErrorStatusTests : IAsyncLifetime
{
    private const string ReadWriteKey = ErrorCaseServer.ReadWriteKey;
    private const string ReadOnlyKey = ErrorCaseServer.ReadOnlyKey;
    private InProcessServer _server = null!;
    private VectorDbClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await ErrorCaseServer.StartAsync();
        _client = _server.Client(ReadWriteKey);
        await _client.CreateCollectionAsync("c", 4, Distance.Euclid);
        await _client.UpsertAsync("c", Enumerable.Range(1, 10).Select(i => VectorDbClient.Point((ulong)i, new float[] { i, 0, 0, 1 },
            new Dictionary<string, Value> { ["n"] = new() { IntegerValue = i } })));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    public static TheoryData<string> Cases => [.. s_cases.Keys];

    private static readonly Dictionary<string, (StatusCode Status, string Message, Func<VectorDbClient, VectorDbClient, string, Task> Call)> s_cases = new()
    {
        ["wrong dimension upsert"] = (StatusCode.InvalidArgument, "dimension 4",
            (c, _, _) => c.UpsertAsync("c", [VectorDbClient.Point(99, [1f, 2f, 3f])])),
        ["wrong dimension search"] = (StatusCode.InvalidArgument, "dimension 4",
            (c, _, _) => c.SearchAsync("c", new float[] { 1, 2 }, 3)),
        ["NaN in vector"] = (StatusCode.InvalidArgument, "finite",
            (c, _, _) => c.UpsertAsync("c", [VectorDbClient.Point(99, [1f, float.NaN, 3f, 4f])])),
        ["Infinity in query"] = (StatusCode.InvalidArgument, "finite",
            (c, _, _) => c.SearchAsync("c", new float[] { 1, 2, float.NegativeInfinity, 4 }, 3)),
        ["NaN in one query of a search batch"] = (StatusCode.InvalidArgument, "finite",
            (c, _, _) => c.SearchBatchAsync("c", [VectorDbClient.SearchRequest("", new float[] { 1, 2, 3, 4 }, 3),
                VectorDbClient.SearchRequest("", new float[] { 1, float.NaN, 3, 4 }, 3)])),
        ["wrong dimension in a search batch"] = (StatusCode.InvalidArgument, "dimension 4",
            (c, _, _) => c.SearchBatchAsync("c", [VectorDbClient.SearchRequest("", new float[] { 1, 2 }, 3)])),
        ["unknown collection"] = (StatusCode.NotFound, "'nope' does not exist",
            (c, _, _) => c.SearchAsync("nope", new float[] { 1, 2, 3, 4 }, 3)),
        ["unknown collection upsert"] = (StatusCode.NotFound, "'nope' does not exist",
            (c, _, _) => c.UpsertAsync("nope", [VectorDbClient.Point(1, [1f, 2f, 3f, 4f])])),
        ["collection already exists"] = (StatusCode.AlreadyExists, "already exists",
            (c, _, _) => c.CreateCollectionAsync("c", 8, Distance.Cosine)),
        ["k = 0"] = (StatusCode.InvalidArgument, "at least 1",
            (c, _, _) => c.SearchAsync("c", new float[] { 1, 2, 3, 4 }, 0)),
        ["k above the limit"] = (StatusCode.InvalidArgument, "limit of 100",
            (c, _, _) => c.SearchAsync("c", new float[] { 1, 2, 3, 4 }, 101)),
        ["empty batch"] = (StatusCode.InvalidArgument, "empty",
            (c, _, _) => c.UpsertAsync("c", [])),
        ["batch above the limit"] = (StatusCode.InvalidArgument, "limit of 50",
            (c, _, _) => c.UpsertAsync("c", Enumerable.Range(100, 51).Select(i => VectorDbClient.Point((ulong)i, [1f, 2f, 3f, 4f])))),
        ["duplicate ids in one batch"] = (StatusCode.InvalidArgument, "more than once",
            (c, _, _) => c.UpsertAsync("c", [VectorDbClient.Point(5, [9f, 9f, 9f, 9f]), VectorDbClient.Point(5, [8f, 8f, 8f, 8f])])),
        ["id not found"] = (StatusCode.NotFound, "no point with id 77",
            (c, _, _) => c.GetAsync("c", [1UL, 77UL])),
        ["malformed filter: empty condition"] = (StatusCode.InvalidArgument, "filter.must[0] is empty",
            (c, _, _) => c.DeleteAsync("c", new Filter { Must = { new Condition() } })),
        ["malformed filter: match and range"] = (StatusCode.InvalidArgument, "exactly one of match or range",
            (c, _, _) => c.DeleteAsync("c", new Filter { Must = { new Condition { Field = new FieldCondition { Key = "n", Match = new Match { Integer = 1 }, Range = new VectorDb.Api.V1.Range { Gt = 0 } } } } })),
        ["malformed filter: range without bounds"] = (StatusCode.InvalidArgument, "no bound",
            (c, _, _) => c.CountAsync("c", new Filter { Must = { new Condition { Field = new FieldCondition { Key = "n", Range = new VectorDb.Api.V1.Range() } } } })),
        ["payload too large"] = (StatusCode.InvalidArgument, "limit of collection 'c' is 256 bytes",
            (c, _, _) => c.UpsertAsync("c", [VectorDbClient.Point(99, [1f, 2f, 3f, 4f], new Dictionary<string, Value> { ["text"] = new() { StringValue = new string('x', 300) } })])),
        ["message too large"] = (StatusCode.ResourceExhausted, "message",
            (c, _, _) => c.UpsertAsync("c", [VectorDbClient.Point(99, [1f, 2f, 3f, 4f], new Dictionary<string, Value> { ["text"] = new() { StringValue = new string('x', 2 << 20) } })])),
        ["malformed uuid id"] = (StatusCode.InvalidArgument, "not a UUID",
            (c, _, _) => c.Points.UpsertAsync(new UpsertPointsRequest { CollectionName = "c", Points = { new PointStruct { Id = new PointId { Uuid = "5c56c793-69f3-4fbf-87e6" }, Vector = new Vector { Data = { 1, 2, 3, 4 } } } } }).ResponseAsync),
        ["missing API key"] = (StatusCode.Unauthenticated, "missing API key",
            (_, anonymous, _) => anonymous.UpsertAsync("c", [VectorDbClient.Point(99, [1f, 2f, 3f, 4f])])),
        ["wrong API key"] = (StatusCode.Unauthenticated, "not recognised",
            (_, _, address) => WithKey(address, "wrong", k => k.DeleteAsync("c", [1UL, 2UL]))),
        ["wrong API key read"] = (StatusCode.Unauthenticated, "not recognised",
            (_, _, address) => WithKey(address, "wrong", k => k.CountAsync("c"))),
        ["read-only key upsert"] = (StatusCode.PermissionDenied, "read-only",
            (_, _, address) => WithKey(address, ReadOnlyKey, k => k.UpsertAsync("c", [VectorDbClient.Point(99, [1f, 2f, 3f, 4f])]))),
        ["read-only key delete"] = (StatusCode.PermissionDenied, "read-only",
            (_, _, address) => WithKey(address, ReadOnlyKey, k => k.DeleteAsync("c", [1UL]))),
        ["read-only key drop"] = (StatusCode.PermissionDenied, "read-only",
            (_, _, address) => WithKey(address, ReadOnlyKey, k => k.DeleteCollectionAsync("c"))),
        ["read-only key create"] = (StatusCode.PermissionDenied, "read-only",
            (_, _, address) => WithKey(address, ReadOnlyKey, k => k.CreateCollectionAsync("d", 4, Distance.Dot))),
        ["read-only key stream"] = (StatusCode.PermissionDenied, "read-only",
            (_, _, address) => WithKey(address, ReadOnlyKey, k => k.UpsertStreamAsync("c", [[VectorDbClient.Point(99, [1f, 2f, 3f, 4f])]]))),
    };

    private static async Task WithKey(string address, string key, Func<VectorDbClient, Task> call)
    {
        using var client = new VectorDbClient(address, key);
        await call(client);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ErrorCase_GetsItsStatusAndMessage_AndChangesNothing(string name)
    {
        var (status, message, call) = s_cases[name];
        using var anonymous = new VectorDbClient(_server.Address);
        string before = await SnapshotAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => call(_client, anonymous, _server.Address));
        Assert.Equal(status, e.StatusCode);
        Assert.Contains(message, e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Keys_BearerAndApiKeyHeaderBothWork_ReadOnlyKeyCanRead_HealthNeedsNoKey()
    {
        await WithKey(_server.Address, ReadOnlyKey, async k =>
        {
            Assert.Equal(10UL, await k.CountAsync("c"));
            Assert.Equal(3, (await k.SearchAsync("c", new float[] { 1, 0, 0, 1 }, 3)).Count);
            Assert.Equal(["c"], await k.ListCollectionsAsync());
            Assert.Single(await k.GetAsync("c", [3UL]));
        });
        var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_server.Address);
        var points = new Points.PointsClient(channel);
        var bearer = new Metadata { { "authorization", $"Bearer {ReadWriteKey}" } };
        var count = await points.CountAsync(new CountPointsRequest { CollectionName = "c" }, bearer);
        Assert.Equal(10UL, count.Result.Count);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        var reply = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        channel.Dispose();
    }

    /// <summary>Everything observable about collection "c" and the catalogue.</summary>
    private async Task<string> SnapshotAsync()
    {
        var collections = string.Join(",", await _client.ListCollectionsAsync());
        ulong count = await _client.CountAsync("c");
        var ids = Enumerable.Range(0, 120).Select(i => (ulong)i).ToList();
        var present = new List<ulong>();
        foreach (var id in ids)
        {
            try
            {
                await _client.GetAsync("c", [id]);
                present.Add(id);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
            }
        }
        var points = await _client.GetAsync("c", present, withPayload: true, withVectors: true);
        var search = await _client.SearchAsync("c", new float[] { 3, 0, 0, 1 }, 5);
        return $"{collections}|{count}|" + string.Join(";", points.Select(p => $"{p.Id.Num}:{p.Vector}:{p.Payload}")) +
               "|" + string.Join(",", search.Select(h => $"{h.Id.Num}:{h.Score}"));
    }
}
