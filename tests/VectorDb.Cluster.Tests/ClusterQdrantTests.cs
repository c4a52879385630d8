using System.Text.Json;
using Grpc.Core;
using Qdrant.Client;
using VectorDb.Tests.Support;
using VectorDb.Client;
using VectorDb.Cluster.Tests.Support;
using VectorDb.Index.Search;
using Xunit.Abstractions;
using static Qdrant.Client.Grpc.Conditions;
using EngineFilter = VectorDb;
using EnginePointId = VectorDb.PointId;

namespace VectorDb.Cluster.Tests;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using Qdrant.Client.Grpc;

/// <summary>
/// Qdrant's APIs on a real 3-node cluster (server processes with <c>--cluster</c>), driven by Qdrant's own clients:
/// the .NET client (gRPC) through a different node for each kind of call, against the embedded engine in this process
/// with the same configuration and seeds (exact searches: the same ids and scores; scroll pages, counts, retrieves
/// and deletes: the same answers), and the JavaScript client (REST) running its scenario through one node while
/// vectordb.v1 reads through another. Layouts (shard_number, replication_factor, write_consistency_factor) are set and
/// validated through Qdrant's create.
/// </summary>
public sealed class ClusterQdrantTests(ITestOutputHelper output)
{
    private const string Name = "glove_q";
    private const int Groups = 7;

    /// <summary>Even rows are their own number, odd rows a UUID ending in the row in hex.</summary>
    private static EnginePointId EngineId(int row) => row % 2 == 0 ? (ulong)row : Guid.Parse($"00000000-0000-4000-8000-{row:x12}");

    private static PointId QdrantId(int row) => row % 2 == 0 ? (ulong)row : Guid.Parse($"00000000-0000-4000-8000-{row:x12}");

    private static string Text(PointId id) => id.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.Num
        ? id.Num.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : id.Uuid;

    [Fact]
    public async Task Qdrants_dotnet_client_through_any_node_answers_as_a_single_node()
    {
        var glove = GlovePoints.Load(3000);
        var queries = GloveSlice.Queries(20);
        await using var cluster = await LocalCluster.StartAsync(3, TimeSpan.FromSeconds(30));
        using var q0 = new QdrantClient(new Uri(cluster.Silos[0].GrpcAddress));
        using var q1 = new QdrantClient(new Uri(cluster.Silos[1].GrpcAddress));
        using var q2 = new QdrantClient(new Uri(cluster.Silos[2].GrpcAddress));
        using var singleFolder = new TempDirectory("vectordb-single");
        await using var single = await VectorDatabase.OpenAsync(singleFolder.Path);

        // Layouts the cluster cannot hold are refused and create nothing: R above the 3 live nodes, S out of range, a
        // write consistency factor that is none of 1, floor(R/2)+1, R.
        var flat = new Dictionary<string, Value> { ["vectordb"] = new Value { StructValue = new Struct { Fields = { ["index"] = "flat" } } } };
        var vectors = new VectorParams { Size = 100, Distance = Distance.Cosine };
        foreach (var (shards, replicas, factor, field) in new (uint, uint, uint, string)[]
            { (4, 4, 1, "replicas"), (0, 2, 1, "shard_number"), (300, 2, 1, "shard_number"), (4, 3, 4, "write_consistency_factor") })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => q1.CreateCollectionAsync("refused", vectors, shardNumber: shards, replicationFactor: replicas, writeConsistencyFactor: factor, metadata: flat));
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.Contains(field, refused.Status.Detail, StringComparison.Ordinal);
        }
        Assert.Empty(await q2.ListCollectionsAsync());

        // S = 4, R = 2, consistency 2 of 2 (all), through node 0; the same configuration on the single node.
        await q0.CreateCollectionAsync(Name, vectors, shardNumber: 4, replicationFactor: 2, writeConsistencyFactor: 2, metadata: flat);
        var reference = await single.CreateCollectionAsync(Name, new VectorDb.CollectionConfig(100, Metric.Cosine, Index: IndexLayout.Flat));
        var already = await Assert.ThrowsAsync<RpcException>(() => q2.CreateCollectionAsync(Name, vectors, shardNumber: 4, replicationFactor: 2, writeConsistencyFactor: 2, metadata: flat));
        Assert.Equal(StatusCode.AlreadyExists, already.StatusCode);

        // Writes through node 0, acknowledged: visible through the others.
        foreach (var batch in glove.Chunk(500))
        {
            var points = batch.Select(p => new PointStruct
            {
                Id = QdrantId((int)p.Id.Number),
                Vectors = p.Vector,
                Payload = { ["row"] = (long)p.Id.Number, ["group"] = (long)p.Id.Number % Groups },
            }).ToList();
            Assert.Equal(UpdateStatus.Completed, (await q0.UpsertAsync(Name, points, wait: false)).Status); // a cluster answers once durable
            await reference.UpsertAsync([.. batch.Select(p => new PointInput(EngineId((int)p.Id.Number), p.Vector,
                new System.Text.Json.Nodes.JsonObject { ["row"] = (long)p.Id.Number, ["group"] = (long)p.Id.Number % Groups }))]);
        }
        var info = await q1.GetCollectionInfoAsync(Name);
        Assert.Equal((ulong)glove.Length, info.PointsCount);
        Assert.Equal(4u, info.Config.Params.ShardNumber);
        Assert.Equal(2u, info.Config.Params.ReplicationFactor);
        Assert.Equal(2u, info.Config.Params.WriteConsistencyFactor);
        Assert.Equal([Name], await q2.ListCollectionsAsync());
        Assert.True(await q2.CollectionExistsAsync(Name));

        // Exact queries (plain, filtered, read from the primaries) through each node: the single node's ids and scores.
        var group3 = Match("group", 3);
        var engineGroup3 = new EngineFilter.Filter(Must: [new EngineFilter.MatchCondition("group", EngineFilter.FieldValue.Of(3))]);
        var exact = new SearchParams { Exact = true };
        for (int q = 0; q < queries.Count; q++)
        {
            float[] query = queries.Row(q).ToArray();
            var client = (q % 3) switch { 0 => q0, 1 => q1, _ => q2 };
            var local = await reference.SearchAsync(new SearchRequest(query, 10) { Exact = true });
            var hits = await client.QueryAsync(Name, query, searchParams: exact, limit: 10);
            Assert.Equal(local.Select(h => (h.Id.ToString(), h.Score)), hits.Select(h => (Text(h.Id), h.Score)));
            var localFiltered = await reference.SearchAsync(new SearchRequest(query, 10) { Exact = true, Filter = engineGroup3 });
            var filtered = await client.QueryAsync(Name, query, filter: group3, searchParams: exact, limit: 10, payloadSelector: true,
                readConsistency: new ReadConsistency { Type = ReadConsistencyType.Majority });
            Assert.Equal(localFiltered.Select(h => (h.Id.ToString(), h.Score)), filtered.Select(h => (Text(h.Id), h.Score)));
            Assert.All(filtered, h => Assert.Equal(3, h.Payload["group"].IntegerValue));
#pragma warning disable CS0618 // the legacy Search, still sent by older clients
            var legacy = await client.SearchAsync(Name, query, filter: group3, searchParams: exact, limit: 10);
#pragma warning restore CS0618
            Assert.Equal(localFiltered.Select(h => (h.Id.ToString(), h.Score)), legacy.Select(h => (Text(h.Id), h.Score)));
        }
        var batchAnswers = await q1.QueryBatchAsync(Name, [.. Enumerable.Range(0, 4).Select(q => new QueryPoints
            { Query = queries.Row(q).ToArray(), Limit = 5, Params = exact })]);
        for (int q = 0; q < 4; q++)
        {
            var local = await reference.SearchAsync(new SearchRequest(queries.Row(q).ToArray(), 5) { Exact = true });
            Assert.Equal(local.Select(h => h.Id.ToString()), batchAnswers[q].Result.Select(h => Text(h.Id)));
        }

        // Scroll in pages of 200 through node 2 (filtered, and not): the single node's pages and offsets.
        foreach (var (filter, engineFilter) in new[] { ((Filter?)null, (EngineFilter.Filter?)null), (group3, engineGroup3) })
        {
            PointId? offset = null;
            EnginePointId? localOffset = null;
            int pages = 0;
            do
            {
                var page = await q2.ScrollAsync(Name, filter, limit: 200, offset: offset, payloadSelector: true);
                var local = await reference.ScrollAsync(engineFilter, localOffset, 200, withPayload: true, withVector: false);
                Assert.Equal(local.Points.Select(p => p.Id.ToString()), page.Result.Select(p => Text(p.Id)));
                Assert.Equal(local.Points.Select(p => p.Payload!["row"]!.GetValue<long>()), page.Result.Select(p => p.Payload["row"].IntegerValue));
                Assert.Equal(local.NextPageOffset?.ToString(), page.NextPageOffset is null ? null : Text(page.NextPageOffset));
                offset = page.NextPageOffset;
                localOffset = local.NextPageOffset;
                pages++;
            }
            while (offset is not null && pages < 100);
            Assert.True(pages > 1, $"{pages} pages");
        }

        // Count and retrieve (a missing id is skipped, as in Qdrant) through node 1.
        Assert.Equal((ulong)reference.Count, await q1.CountAsync(Name, exact: true));
        Assert.Equal((ulong)reference.CountPoints(engineGroup3), await q1.CountAsync(Name, group3));
        var retrieved = await q1.RetrieveAsync(Name, [QdrantId(10), QdrantId(11), 999_999ul], withPayload: true, withVectors: true);
        var localRetrieved = await reference.GetExistingAsync([EngineId(10), EngineId(11), 999_999UL], withPayload: true, withVector: true);
        Assert.Equal(localRetrieved.Select(p => p.Id.ToString()), retrieved.Select(p => Text(p.Id)));
        Assert.Equal(localRetrieved.Select(p => p.Vector), retrieved.Select(p => p.Vectors.Vector.GetDenseVector()!.Data.ToArray()));

        // Deletes through node 2 (ids) and node 0 (filter); counts through node 1 follow the single node's.
        Assert.Equal(UpdateStatus.Completed, (await q2.DeleteAsync(Name, [QdrantId(10), QdrantId(11)], wait: true)).Status);
        await reference.DeleteAsync([EngineId(10), EngineId(11)]);
        await q0.DeleteAsync(Name, Match("group", 5), wait: true);
        await reference.DeleteAsync(new EngineFilter.Filter(Must: [new EngineFilter.MatchCondition("group", EngineFilter.FieldValue.Of(5))]));
        Assert.Equal((ulong)reference.Count, await q1.CountAsync(Name));
        Assert.Empty(await q1.RetrieveAsync(Name, [QdrantId(10), QdrantId(11)]));

        // Errors: an unknown collection, a bad vector (nothing written), a refused feature.
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => q0.CountAsync("nowhere"))).StatusCode);
        var bad = await Assert.ThrowsAsync<RpcException>(() => q0.UpsertAsync(Name, [new PointStruct { Id = 1ul, Vectors = new float[3] }]));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal((ulong)reference.Count, await q2.CountAsync(Name));

        // Drop through node 1: gone from every node.
        await q1.DeleteCollectionAsync(Name);
        Assert.False(await q0.CollectionExistsAsync(Name));
        Assert.Empty(await q2.ListCollectionsAsync());
        output.WriteLine($"{queries.Count} exact queries (plain, filtered, legacy search) identical to the single node through 3 nodes");
    }

    [QdrantJsFact]
    public async Task Qdrants_js_client_over_rest_through_one_node_passes_its_scenario_and_another_node_reads_the_writes()
    {
        await using var cluster = await LocalCluster.StartAsync(3, TimeSpan.FromSeconds(30), ["--shards", "6", "--replicas", "2"]);
        string rest = $"http://127.0.0.1:{cluster.Silos[1].RestPort}";
        var (exit, text) = await QdrantJs.RunAsync(rest, "", GloveSlice.Folder, "load");
        output.WriteLine(text);
        Assert.True(exit == 0, text);
        string line = text.Split('\n').Single(l => l.StartsWith("RESULTS ", StringComparison.Ordinal));
        var restRows = JsonSerializer.Deserialize<int[][]>(line["RESULTS ".Length..])!;

        // vectordb.v1 through node 2 sees every point written over REST through node 1, and the same hits.
        using var v1 = new VectorDbClient(cluster.Silos[2].GrpcAddress);
        var info = await v1.GetCollectionAsync("glove_js");
        Assert.Equal((ulong)GloveSlice.Base().Count, info.PointsCount);
        Assert.Equal(6u, info.ShardNumber); // the node's --shards and --replicas: the JS client sent no layout
        Assert.Equal(2u, info.ReplicationFactor);
        var queries = GloveSlice.Queries();
        var truth = GloveSlice.TrueNeighbours();
        int found = 0;
        for (int q = 0; q < queries.Count; q++)
        {
            var hits = await v1.SearchAsync("glove_js", queries.Row(q).ToArray(), 10);
            Assert.Equal([.. hits.Select(h => h.Id.HasUuid ? Convert.ToInt32(h.Id.Uuid[24..], 16) : (int)h.Id.Num)], restRows[q]);
            found += restRows[q].Count(truth[q].Take(10).ToHashSet().Contains);
        }
        output.WriteLine($"recall@10 over REST through the cluster: {found / (10.0 * queries.Count):F4}");
        Assert.True(found >= 0.85 * 10 * queries.Count, $"recall@10 = {found / (10.0 * queries.Count):F4}");

        // Filtered exact search against brute force, scroll over every point, count, retrieve, deletes, drop.
        (exit, text) = await QdrantJs.RunAsync(rest, "", GloveSlice.Folder, "check");
        output.WriteLine(text);
        Assert.True(exit == 0, text);
        Assert.Contains("all checks passed", text, StringComparison.Ordinal);
        Assert.Empty(await v1.ListCollectionsAsync());
    }
}
