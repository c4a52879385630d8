using Grpc.Core;
using Qdrant.Client;
using VectorDb.Tests.Support;
using VectorDb.Client;
using Xunit.Abstractions;
using static Qdrant.Client.Grpc.Conditions;
using V1 = VectorDb.Api.V1;

namespace VectorDb.Server.Tests;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using Qdrant.Client.Grpc;

/// <summary>
/// Qdrant's official .NET client (<c>Qdrant.Client</c>, pinned in Directory.Packages.props) drives Qdrant's gRPC API
/// of a real server child process on 127.0.0.1, on its own port (<c>--qdrant-grpc-urls</c>): the 20k GloVe slice
/// with integer and UUID ids and payloads, the 200 queries (hits equal vectordb.v1's on the same collection, so
/// recall@10 is equal too), filtered search against brute force, a scroll over every point, count, retrieve, delete
/// by ids and by filter, the API-key rules, an unknown collection, drop.
/// </summary>
public sealed class QdrantDotNetClientTests(ITestOutputHelper output)
{
    private const string Key = "dotnet-key";
    private const string ReadOnlyKey = "dotnet-read";
    private const string Name = "glove_q";
    private const int Groups = 7;

    /// <summary>Even rows are their own number, odd rows a UUID ending in the row in hex (as the JS scenario).</summary>
    private static PointId IdOf(int row) => row % 2 == 0 ? (ulong)row : Guid.Parse($"00000000-0000-4000-8000-{row:x12}");

    private static int RowOf(PointId id) => id.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.Num
        ? (int)id.Num
        : Convert.ToInt32(id.Uuid[24..], 16);

    private static int RowOf(V1.PointId id) => id.PointIdOptionsCase == V1.PointId.PointIdOptionsOneofCase.Num
        ? (int)id.Num
        : Convert.ToInt32(id.Uuid[24..], 16);

    [Fact]
    public async Task QdrantDotNetClient_Scenario_MatchesVectorDbV1_OnTheGloveSlice()
    {
        using var data = new TempDirectory();
        using var server = await ServerChild.StartAsync(data.Path, qdrantGrpc: true, extraArgs:
            [$"--VectorDb:ApiKey={Key}", $"--VectorDb:ReadOnlyApiKey={ReadOnlyKey}"]);
        int qdrantPort = server.QdrantPort!.Value;
        using var qdrant = new QdrantClient("127.0.0.1", qdrantPort, https: false, apiKey: Key);
        using var v1 = new VectorDbClient(server.Address, Key);

        var health = await qdrant.HealthAsync();
        Assert.StartsWith("1.", health.Version, StringComparison.Ordinal);

        // Create, with VectorDb's own options in the collection metadata.
        await qdrant.CreateCollectionAsync(Name, new VectorParams { Size = 100, Distance = Distance.Cosine },
            metadata: new Dictionary<string, Value> { ["vectordb"] = new Value { StructValue = new Struct { Fields = { ["bits"] = 4 } } } });
        Assert.True(await qdrant.CollectionExistsAsync(Name));
        await qdrant.CreatePayloadIndexAsync(Name, "group", PayloadSchemaType.Integer);

        var rows = GloveSlice.Base();
        for (int start = 0; start < rows.Count; start += 2000)
        {
            var batch = Enumerable.Range(start, Math.Min(2000, rows.Count - start)).Select(row => new PointStruct
            {
                Id = IdOf(row),
                Vectors = rows.Row(row).ToArray(),
                Payload = { ["row"] = row, ["group"] = row % Groups, ["tag"] = $"t{row % 3}", ["meta"] = new Value { StructValue = new Struct { Fields = { ["odd"] = row % 2 == 1 } } } },
            }).ToList();
            var update = await qdrant.UpsertAsync(Name, batch, wait: true);
            Assert.Equal(UpdateStatus.Completed, update.Status);
        }
        var info = await qdrant.GetCollectionInfoAsync(Name);
        Assert.Equal((ulong)rows.Count, info.PointsCount);
        Assert.Equal(100ul, info.Config.Params.VectorsConfig.Params.Size);
        Assert.Equal(4, info.Config.Metadata["vectordb"].StructValue.Fields["bits"].IntegerValue);

        // 200 queries through the universal query: the same hits as vectordb.v1 on the same collection.
        var queries = GloveSlice.Queries();
        var truth = GloveSlice.TrueNeighbours();
        int qdrantFound = 0, v1Found = 0;
        for (int q = 0; q < queries.Count; q++)
        {
            float[] query = queries.Row(q).ToArray();
            var hits = await qdrant.QueryAsync(Name, query, limit: 10);
            var v1Hits = await v1.SearchAsync(Name, query, 10);
            int[] got = [.. hits.Select(h => RowOf(h.Id))];
            int[] v1Rows = [.. v1Hits.Select(h => RowOf(h.Id))];
            Assert.Equal(v1Rows, got);
            Assert.Equal(v1Hits.Select(h => h.Score), hits.Select(h => h.Score));
            var want = truth[q].Take(10).ToHashSet();
            qdrantFound += got.Count(want.Contains);
            v1Found += v1Rows.Count(want.Contains);
        }
        output.WriteLine($"recall@10: Qdrant gRPC {qdrantFound / (10.0 * queries.Count):F4}, vectordb.v1 {v1Found / (10.0 * queries.Count):F4}");
        Assert.Equal(v1Found, qdrantFound);
        // Deterministic (seeded rotation, auto re-rank): 1.0000 measured; the floor sits just below it (issue 17).
        Assert.True(qdrantFound >= 0.99 * 10 * queries.Count, $"recall@10 = {qdrantFound / (10.0 * queries.Count):F4}");

        // The legacy Search (deprecated in favour of Query, still served: older clients call it) and the batch forms
        // answer the same hits.
#pragma warning disable CS0618
        float[] first = queries.Row(0).ToArray();
        var legacy = await qdrant.SearchAsync(Name, first, limit: 10);
        var reference = await qdrant.QueryAsync(Name, first, limit: 10);
        Assert.Equal(reference.Select(h => RowOf(h.Id)), legacy.Select(h => RowOf(h.Id)));
        var searchBatch = await qdrant.SearchBatchAsync(Name, [.. Enumerable.Range(0, 5).Select(q => new SearchPoints { Vector = { queries.Row(q).ToArray() }, Limit = 10 })]);
#pragma warning restore CS0618
        var queryBatch = await qdrant.QueryBatchAsync(Name, [.. Enumerable.Range(0, 5).Select(q => new QueryPoints { Query = queries.Row(q).ToArray(), Limit = 10 })]);
        for (int q = 0; q < 5; q++)
        {
            var single = await v1.SearchAsync(Name, queries.Row(q).ToArray(), 10);
            Assert.Equal(single.Select(h => RowOf(h.Id)), searchBatch[q].Result.Select(h => RowOf(h.Id)));
            Assert.Equal(single.Select(h => RowOf(h.Id)), queryBatch[q].Result.Select(h => RowOf(h.Id)));
        }

        await FilteredSearch_MatchesBruteForce(qdrant, rows, queries);
        await ScrollVisitsEveryPointOnce(qdrant, rows.Count);

        // Count, retrieve.
        Assert.Equal((ulong)rows.Count, await qdrant.CountAsync(Name, exact: true));
        Assert.Equal((ulong)Enumerable.Range(0, rows.Count).Count(r => r % Groups == 3), await qdrant.CountAsync(Name, Match("group", 3)));
        Assert.Equal((ulong)(rows.Count / 2), await qdrant.CountAsync(Name, Match("meta.odd", true)));
        Assert.Equal(2ul, await qdrant.CountAsync(Name, HasId([IdOf(10).Num]) | HasId([Guid.Parse(IdOf(11).Uuid)])));
        var retrieved = await qdrant.RetrieveAsync(Name, [IdOf(10), IdOf(11), 999_999ul], withPayload: true, withVectors: true);
        Assert.Equal([10, 11], retrieved.Select(p => RowOf(p.Id))); // the missing id is skipped, as in Qdrant
        foreach (var point in retrieved)
        {
            int row = RowOf(point.Id);
            Assert.Equal(row, point.Payload["row"].IntegerValue);
            Assert.Equal($"t{row % 3}", point.Payload["tag"].StringValue);
            float[] stored = [.. point.Vectors.Vector.GetDenseVector()!.Data];
            float[] original = rows.Row(row).ToArray();
            double norm = Math.Sqrt(original.Sum(x => (double)x * x));
            Assert.Equal(original.Length, stored.Length);
            for (int j = 0; j < stored.Length; j++)
            {
                Assert.Equal(original[j] / norm, stored[j], 1e-6); // cosine collections keep the normalised vector
            }
        }

        // The API-key rules: a read-only key reads and may not write; no key is refused.
        using (var readOnly = new QdrantClient("127.0.0.1", qdrantPort, https: false, apiKey: ReadOnlyKey))
        {
            Assert.Equal((ulong)rows.Count, await readOnly.CountAsync(Name));
            var denied = await Assert.ThrowsAsync<RpcException>(() => readOnly.DeleteAsync(Name, 10ul));
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
            denied = await Assert.ThrowsAsync<RpcException>(() => readOnly.DeleteCollectionAsync(Name));
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        }
        using (var anonymous = new QdrantClient("127.0.0.1", qdrantPort, https: false))
        {
            Assert.StartsWith("1.", (await anonymous.HealthAsync()).Version, StringComparison.Ordinal); // open, as in Qdrant
            var refused = await Assert.ThrowsAsync<RpcException>(() => anonymous.CountAsync(Name));
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }
        var missing = await Assert.ThrowsAsync<RpcException>(() => qdrant.CountAsync("nope"));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        // Each API answers on its own ports when Qdrant's has its own.
        using (var qdrantOnV1Port = new QdrantClient(new Uri(server.Address), Key))
        {
            var wrongPort = await Assert.ThrowsAsync<RpcException>(() => qdrantOnV1Port.CountAsync(Name));
            Assert.Equal(StatusCode.Unimplemented, wrongPort.StatusCode);
        }

        // Delete by ids and by filter.
        Assert.Equal(UpdateStatus.Completed, (await qdrant.DeleteAsync(Name, [IdOf(10), IdOf(11)], wait: true)).Status);
        Assert.Empty(await qdrant.RetrieveAsync(Name, [IdOf(10), IdOf(11)]));
        Assert.Equal((ulong)rows.Count - 2, await qdrant.CountAsync(Name));
        await qdrant.DeleteAsync(Name, Match("group", 6), wait: true);
        int left = Enumerable.Range(0, rows.Count).Count(r => r is not (10 or 11) && r % Groups != 6);
        Assert.Equal((ulong)left, await qdrant.CountAsync(Name));
        Assert.Equal((ulong)left, await v1.CountAsync(Name));

        // Drop.
        await qdrant.DeleteCollectionAsync(Name);
        Assert.False(await qdrant.CollectionExistsAsync(Name));
        Assert.DoesNotContain(Name, await qdrant.ListCollectionsAsync());
    }

    /// <summary>Filtered queries (group and tag) against a brute-force oracle over the originals: exact search returns
    /// exactly the oracle's hits, the compressed search most of them.</summary>
    private async Task FilteredSearch_MatchesBruteForce(QdrantClient qdrant, Datasets.VectorSet rows, Datasets.VectorSet queries)
    {
        var filter = Match("group", 3) & Match("tag", ["t0", "t1"]);
        bool Keep(ulong row) => (int)row % Groups == 3 && (int)row % 3 != 2;
        var points = Enumerable.Range(0, rows.Count).Select(r => ((ulong)r, rows.Row(r).ToArray())).ToList();
        int found = 0, wanted = 0;
        const int Queries = 20;
        for (int q = 0; q < Queries; q++)
        {
            float[] query = queries.Row(q).ToArray();
            int[] oracle = [.. TestVectors.BruteForce(Metric.Cosine, query, points, 10, Keep).Select(h => (int)h.Id)];
            var exact = await qdrant.QueryAsync(Name, query, filter: filter, searchParams: new SearchParams { Exact = true }, limit: 10,
                payloadSelector: true);
            Assert.Equal(oracle, exact.Select(h => RowOf(h.Id)));
            Assert.All(exact, h => Assert.Equal(3, h.Payload["group"].IntegerValue));
            var approximate = await qdrant.QueryAsync(Name, query, filter: filter, limit: 10);
            Assert.All(approximate, h => Assert.True(Keep((ulong)RowOf(h.Id))));
            found += approximate.Select(h => RowOf(h.Id)).Intersect(oracle).Count();
            wanted += oracle.Length;
        }
        output.WriteLine($"filtered recall@10 vs brute force: {found / (double)wanted:F4}");
        Assert.True(found >= 0.99 * wanted, $"filtered recall@10 = {found / (double)wanted:F4}"); // 1.0000 measured
    }

    /// <summary>Pages of 1,000 following next_page_offset: every point once, numbers ascending then UUIDs.</summary>
    private static async Task ScrollVisitsEveryPointOnce(QdrantClient qdrant, int count)
    {
        var seen = new List<int>();
        PointId? offset = null;
        do
        {
            var page = await qdrant.ScrollAsync(Name, limit: 1000, offset: offset, payloadSelector: true);
            foreach (var point in page.Result)
            {
                Assert.Equal(RowOf(point.Id), point.Payload["row"].IntegerValue);
                seen.Add(RowOf(point.Id));
            }
            offset = page.NextPageOffset;
        }
        while (offset is not null);
        int[] expected = [.. Enumerable.Range(0, count).Where(r => r % 2 == 0), .. Enumerable.Range(0, count).Where(r => r % 2 == 1)];
        Assert.Equal(expected, seen);
    }
}
