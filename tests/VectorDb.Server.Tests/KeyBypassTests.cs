using Google.Protobuf;
using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Client;
using Xunit.Abstractions;

namespace VectorDb.Server.Tests;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>
/// Issue 12, item 1: a read-only key must not write through a request path that routing resolves to a write method
/// (other letter case, trailing '/', escaped letters, doubled slash) nor through a method the server does not know.
/// Raw HTTP/2 gRPC requests to a real Kestrel on 127.0.0.1; after every refused request the data is unchanged.
/// </summary>
public sealed class KeyBypassTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private const string ReadWriteKey = "rw-secret";
    private const string ReadOnlyKey = "ro-secret";
    private InProcessServer _server = null!;
    private VectorDbClient _client = null!;
    private readonly RawGrpc _raw = new();

    /// <summary>Each write method with a request that would change data if it ran.</summary>
    private static readonly (string Path, IMessage Request)[] s_writes =
    [
        ("/vectordb.v1.Points/Upsert", new UpsertPointsRequest { CollectionName = "c", Points = { Point(99) } }),
        ("/vectordb.v1.Points/UpsertStream", new UpsertPointsRequest { CollectionName = "c", Points = { Point(98) } }),
        ("/vectordb.v1.Points/Delete", new DeletePointsRequest { CollectionName = "c", Points = new PointsSelector { Points = new PointsIdsList { Ids = { new PointId { Num = 1 } } } } }),
        ("/vectordb.v1.Collections/Create", new CreateCollectionRequest { CollectionName = "d", Vectors = new VectorParams { Size = 4, Distance = Distance.Dot } }),
        ("/vectordb.v1.Collections/Delete", new DeleteCollectionRequest { CollectionName = "c" }),
    ];

    /// <summary>Ways to spell a path that ASP.NET routing may still resolve to the same endpoint.</summary>
    private static readonly (string Name, Func<string, string> Alter)[] s_variants =
    [
        ("lower case", p => p.ToLowerInvariant()),
        ("upper case", p => p.ToUpperInvariant()),
        ("trailing slash", p => p + "/"),
        ("lower case, trailing slash", p => p.ToLowerInvariant() + "/"),
        ("service lower case", p => p[..(p.LastIndexOf('/'))].ToLowerInvariant() + p[p.LastIndexOf('/')..]),
        ("method lower case", p => p[..(p.LastIndexOf('/') + 1)] + p[(p.LastIndexOf('/') + 1)..].ToLowerInvariant()),
        ("escaped first letter of the method", p => p[..(p.LastIndexOf('/') + 1)] + $"%{(int)p[p.LastIndexOf('/') + 1]:X2}" + p[(p.LastIndexOf('/') + 2)..]),
        ("doubled leading slash", p => "/" + p),
    ];

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync(new Dictionary<string, string?>
        {
            ["VectorDb:ApiKey"] = ReadWriteKey,
            ["VectorDb:ReadOnlyApiKey"] = ReadOnlyKey,
        });
        _client = _server.Client(ReadWriteKey);
        await _client.CreateCollectionAsync("c", 4, Distance.Euclid);
        await _client.UpsertAsync("c", Enumerable.Range(1, 10).Select(i => VectorDbClient.Point((ulong)i, new float[] { i, 0, 0, 1 })));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    public void Dispose() => _raw.Dispose();

    [Fact]
    public async Task ReadOnlyKey_AlteredWritePaths_AreRefused_AndChangeNothing()
    {
        string before = await SnapshotAsync();
        int tried = 0, refused = 0, unchanged = 0;
        var failures = new List<string>();
        foreach (var (path, request) in s_writes)
        {
            byte[] body = RawGrpc.Frame(request.ToByteArray());
            foreach (var (name, alter) in s_variants)
            {
                string altered = alter(path);
                var reply = await _raw.CallAsync(_server.Address, altered, body, ReadOnlyKey);
                tried++;
                bool wasRefused = reply.Status is StatusCode.PermissionDenied or StatusCode.Unimplemented
                    || (reply.Status is null && (int)reply.Http >= 400);
                bool same = await SnapshotAsync() == before;
                refused += wasRefused ? 1 : 0;
                unchanged += same ? 1 : 0;
                if (!wasRefused || !same)
                {
                    failures.Add($"{altered} ({name}): {reply}; data {(same ? "unchanged" : "CHANGED")}");
                    before = await SnapshotAsync();
                }
            }
        }
        output.WriteLine($"altered write paths with a read-only key: tried {tried}, refused {refused}, state unchanged {unchanged}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task ReadOnlyKey_UnknownMethods_AreRefused_AndChangeNothing()
    {
        string before = await SnapshotAsync();
        byte[] body = RawGrpc.Frame(new UpsertPointsRequest { CollectionName = "c", Points = { Point(99) } }.ToByteArray());
        foreach (string path in new[] { "/vectordb.v1.Points/Nope", "/vectordb.v1.Nope/Upsert", "/vectordb.v2.Points/Upsert", "/Upsert", "/" })
        {
            var reply = await _raw.CallAsync(_server.Address, path, body, ReadOnlyKey);
            Assert.True(reply.Status is StatusCode.Unimplemented or StatusCode.PermissionDenied || (reply.Status is null && (int)reply.Http >= 400),
                $"{path}: {reply}");
        }
        Assert.Equal(before, await SnapshotAsync());
    }

    /// <summary>The control: the same hand-framed requests on the canonical path do reach the methods (so a refusal
    /// above is the check's doing, not a framing mistake), and the read-only key is refused there too.</summary>
    [Fact]
    public async Task CanonicalPaths_ReadOnlyRefused_ReadWriteAllowed_ReadOnlyCanRead()
    {
        var upsert = RawGrpc.Frame(new UpsertPointsRequest { CollectionName = "c", Points = { Point(99) } }.ToByteArray());
        var refused = await _raw.CallAsync(_server.Address, "/vectordb.v1.Points/Upsert", upsert, ReadOnlyKey);
        Assert.Equal(StatusCode.PermissionDenied, refused.Status);
        Assert.Contains("/vectordb.v1.Points/Upsert", refused.Message, StringComparison.Ordinal);
        Assert.Equal(10UL, await _client.CountAsync("c"));

        var count = RawGrpc.Frame(new CountPointsRequest { CollectionName = "c" }.ToByteArray());
        Assert.Equal(StatusCode.OK, (await _raw.CallAsync(_server.Address, "/vectordb.v1.Points/Count", count, ReadOnlyKey)).Status);
        Assert.Equal(StatusCode.OK, (await _raw.CallAsync(_server.Address, "/vectordb.v1.points/count/", count, ReadOnlyKey)).Status);

        Assert.Equal(StatusCode.OK, (await _raw.CallAsync(_server.Address, "/vectordb.v1.Points/Upsert", upsert, ReadWriteKey)).Status);
        Assert.Equal(11UL, await _client.CountAsync("c"));
    }

    /// <summary>Fail closed: every method of the vectordb.v1 services is classified here, and any name the check does
    /// not list as a read (a method added later, a misspelling) is a write.</summary>
    [Fact]
    public void EveryMethodIsClassified_AndUnlistedNamesAreWrites()
    {
        string[] reads = ["/vectordb.v1.Collections/Get", "/vectordb.v1.Collections/List", "/vectordb.v1.Points/Get",
            "/vectordb.v1.Points/Count", "/vectordb.v1.Points/Search", "/vectordb.v1.Points/SearchBatch", "/vectordb.v1.Points/Scroll",
            "/qdrant.Collections/List", "/qdrant.Collections/Get", "/qdrant.Collections/CollectionExists", "/qdrant.Points/Get",
            "/qdrant.Points/Count", "/qdrant.Points/Scroll", "/qdrant.Points/Search", "/qdrant.Points/SearchBatch", "/qdrant.Points/Query",
            "/qdrant.Points/QueryBatch"];
        var vectorDbMethods = Points.Descriptor.Methods.Concat(Collections.Descriptor.Methods).ToList();
        Assert.Equal(12, vectorDbMethods.Count);
        // Qdrant's services as the client package describes them: every method, served or not, is classified.
        var methods = vectorDbMethods.Concat(Qdrant.Client.Grpc.Points.Descriptor.Methods).Concat(Qdrant.Client.Grpc.Collections.Descriptor.Methods)
            .Select(m => $"/{m.Service.FullName}/{m.Name}").ToList();
        Assert.Superset(reads.ToHashSet(), methods.ToHashSet()); // every listed read is a real method
        foreach (string method in methods)
        {
            Assert.Equal(!reads.Contains(method), VectorDb.Server.Interceptors.ApiKeyInterceptor.IsWrite(method));
        }
        foreach (string unlisted in new[] { "/vectordb.v1.Points/Compact", "/vectordb.v1.points/count", "/vectordb.v1.Points/Count/", "" })
        {
            Assert.True(VectorDb.Server.Interceptors.ApiKeyInterceptor.IsWrite(unlisted), unlisted);
        }
    }

    private static PointStruct Point(ulong id) => VectorDbClient.Point(id, [7f, 7f, 7f, 7f]);

    /// <summary>The catalogue, the count and every point of "c" (ids 0..100 cover all that any request above writes).</summary>
    private async Task<string> SnapshotAsync()
    {
        string collections = string.Join(",", await _client.ListCollectionsAsync());
        if (!collections.Split(',').Contains("c"))
        {
            return collections;
        }
        ulong count = await _client.CountAsync("c");
        var hits = await _client.SearchAsync("c", new float[] { 0, 0, 0, 0 }, 100);
        return $"{collections}|{count}|" + string.Join(";", hits.OrderBy(h => h.Id.Num).Select(h => $"{h.Id.Num}:{h.Score}"));
    }
}
