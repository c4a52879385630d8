using Google.Protobuf.Collections;
using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Client;
using VectorDb.Cluster.Tests.Support;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using Xunit.Abstractions;
using EngineFilter = VectorDb;
using EnginePointId = VectorDb.PointId;
using ProtoFilter = VectorDb.Api.V1.Filter;

namespace VectorDb.Cluster.Tests;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>
/// The vectordb.v1 gRPC API served by three silo processes (S = 6, R = 2), driven through the project's own client
/// against a different silo for each kind of call: the answers must be the single node's (the embedded engine in this
/// process, same configuration and seeds), filtered searches must agree with a brute-force scan, and UUID ids route
/// and round-trip like integer ids.
/// </summary>
public sealed class ClusterApiTests(ITestOutputHelper output)
{
    private const int Dimension = 100;
    private const int Groups = 5;

    [Fact]
    public async Task Every_silo_serves_the_grpc_api_as_a_single_node_answers()
    {
        var glove = GlovePoints.Load();
        var queries = GloveSlice.Queries(40);
        await using var cluster = await LocalCluster.StartAsync(3, TimeSpan.FromSeconds(30));
        using var client0 = new VectorDbClient(cluster.Silos[0].GrpcAddress);
        using var client1 = new VectorDbClient(cluster.Silos[1].GrpcAddress);
        using var client2 = new VectorDbClient(cluster.Silos[2].GrpcAddress);
        using var singleFolder = new TempDirectory("vectordb-single");
        await using var single = await VectorDatabase.OpenAsync(singleFolder.Path);

        // The API's flat index with every other option at its default is the engine's default configuration.
        await client0.CreateCollectionAsync("glove", Dimension, Distance.Cosine, index: IndexType.IndexFlat);
        var reference = await single.CreateCollectionAsync("glove", new VectorDb.CollectionConfig(Dimension, Metric.Cosine, Index: IndexLayout.Flat));
        var created = await client2.GetCollectionAsync("glove");
        Assert.Equal(reference.Config.RotationSeed, created.Config.Quantization.RotationSeed);
        Assert.Equal((uint)reference.Config.RotationRounds, created.Config.Quantization.RotationRounds);
        var already = await Assert.ThrowsAsync<RpcException>(() => client1.CreateCollectionAsync("glove", Dimension, Distance.Cosine));
        Assert.Equal(StatusCode.AlreadyExists, already.StatusCode);

        foreach (var batch in glove.Chunk(1000))
        {
            await client1.UpsertAsync("glove", batch.Select(p => VectorDbClient.Point(p.Id.Number, p.Vector, Payload(p.Id.Number))));
            await reference.UpsertAsync([.. batch.Select(p => new PointInput(p.Id, p.Vector, Json(p.Id.Number)))]);
        }
        Assert.Equal((ulong)glove.Length, await client2.CountAsync("glove"));
        Assert.Equal((ulong)glove.Length, (await client0.GetCollectionAsync("glove")).PointsCount);

        var group = GroupFilter(2, below: 12_000);
        var engineGroup = new EngineFilter.Filter(Must: [new EngineFilter.MatchCondition("group", EngineFilter.FieldValue.Of("g2")),
            new EngineFilter.RangeCondition("row", Lt: 12_000)]);
        Assert.Equal((ulong)reference.CountPoints(engineGroup), await client0.CountAsync("glove", group));

        var exact = new SearchParams { Exact = true };
        for (int q = 0; q < queries.Count; q++)
        {
            var query = queries.Row(q).ToArray();
            var client = (q % 3) switch { 0 => client0, 1 => client1, _ => client2 };

            // Exact search: the same ids with bit-identical scores as the single node.
            var clustered = await client.SearchAsync("glove", query, 10, parameters: exact);
            var local = await reference.SearchAsync(new SearchRequest(query, 10) { Exact = true });
            Assert.Equal(local.Select(h => (h.Id.Number, h.Score)), clustered.Select(h => (h.Id.Num, h.Score)));

            // Filtered exact search: as the single node, and as a brute-force scan over the rows that pass.
            var filtered = await client.SearchAsync("glove", query, 10, group, withPayload: true, parameters: exact);
            var localFiltered = await reference.SearchAsync(new SearchRequest(query, 10) { Exact = true, Filter = engineGroup });
            Assert.Equal(localFiltered.Select(h => (h.Id.Number, h.Score)), filtered.Select(h => (h.Id.Num, h.Score)));
            var brute = BruteForceCosine(glove.Where(p => p.Id.Number % Groups == 2 && p.Id.Number < 12_000).ToArray(), query, 10);
            Assert.Equal(brute.Length, filtered.Count);
            for (int i = 0; i < brute.Length; i++)
            {
                Assert.Equal(brute[i].Score, filtered[i].Score, 1e-4);
                Assert.Equal($"g{filtered[i].Id.Num % Groups}", filtered[i].Payload["group"].StringValue);
            }
            Assert.Equal(brute.Select(b => b.Id).Order(), filtered.Select(h => h.Id.Num).Where(id => brute.Any(b => b.Id == id)).Order());
        }
        output.WriteLine($"{queries.Count} queries: exact and filtered exact identical to the single node; filtered agrees with brute force");

        // Search batch through another silo: each answer is the single search's.
        var batchAnswers = await client2.SearchBatchAsync("glove", Enumerable.Range(0, 5)
            .Select(q => VectorDbClient.SearchRequest("glove", queries.Row(q).ToArray(), 5, parameters: exact)));
        for (int q = 0; q < 5; q++)
        {
            var local = await reference.SearchAsync(new SearchRequest(queries.Row(q).ToArray(), 5) { Exact = true });
            Assert.Equal(local.Select(h => h.Id.Number), batchAnswers[q].Select(h => h.Id.Num));
        }

        // Get by id, in the order asked, from every shard: the vectors and payloads written.
        ulong[] wanted = [19_999, 3, 7_777, 0, 12_345, 3];
        var got = await client2.GetAsync("glove", wanted, withPayload: true, withVectors: true);
        Assert.Equal(wanted, got.Select(p => p.Id.Num));
        foreach (var point in got)
        {
            Assert.Equal(glove[(int)point.Id.Num].Vector, point.Vector.Data);
            Assert.Equal((long)point.Id.Num, point.Payload["row"].IntegerValue);
        }
        var missing = await Assert.ThrowsAsync<RpcException>(() => client0.GetAsync("glove", [5, 1_000_000]));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => client0.CountAsync("nowhere"));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var badDimension = await Assert.ThrowsAsync<RpcException>(() => client0.UpsertAsync("glove", [VectorDbClient.Point(1, new float[3])]));
        Assert.Equal(StatusCode.InvalidArgument, badDimension.StatusCode);

        // Delete by filter on every shard, then by id: counts follow the single node's.
        await client1.DeleteAsync("glove", GroupFilter(4, below: 5_000));
        await reference.DeleteAsync(new EngineFilter.Filter(Must: [new EngineFilter.MatchCondition("group", EngineFilter.FieldValue.Of("g4")),
            new EngineFilter.RangeCondition("row", Lt: 5_000)]));
        await client2.DeleteAsync("glove", [0UL, 1, 2]);
        await reference.DeleteAsync([(EnginePointId)0UL, 1UL, 2UL]);
        Assert.Equal((ulong)reference.Count, await client0.CountAsync("glove"));
        Assert.Equal(19_000 - 3, reference.Count);

        Assert.Contains("glove", await client1.ListCollectionsAsync());
    }

    [Fact]
    public async Task Uuid_and_integer_ids_route_by_their_bytes_and_scroll_in_id_order()
    {
        var glove = GlovePoints.Load(600);
        var random = new Random(1414);
        // Half integer ids, half UUIDs from a seeded generator.
        EnginePointId[] ids = [.. Enumerable.Range(0, glove.Length).Select(i => i % 2 == 0
            ? (EnginePointId)(ulong)(i * 1000)
            : (EnginePointId)new Guid([.. Enumerable.Range(0, 16).Select(_ => (byte)random.Next(256))]))];
        await using var cluster = await LocalCluster.StartAsync(3, TimeSpan.FromSeconds(30));
        using var client = new VectorDbClient(cluster.Silos[1].GrpcAddress);
        using var singleFolder = new TempDirectory("vectordb-single");
        await using var single = await VectorDatabase.OpenAsync(singleFolder.Path);
        await client.CreateCollectionAsync("mixed", Dimension, Distance.Cosine, index: IndexType.IndexFlat);
        var reference = await single.CreateCollectionAsync("mixed", new VectorDb.CollectionConfig(Dimension, Metric.Cosine, Index: IndexLayout.Flat));
        await client.UpsertAsync("mixed", glove.Select((p, i) => VectorDbClient.Point(ProtoId(ids[i]), p.Vector, Payload((ulong)i))));
        await reference.UpsertAsync([.. glove.Select((p, i) => new PointInput(ids[i], p.Vector, Json((ulong)i)))]);

        // Every shard holds some UUIDs (the ids' bytes spread them), and each UUID reads back from its shard.
        var uuidShards = ids.Where(id => id.IsUuid).Select(id => ShardRouting.ShardOf(id, 6)).Distinct().Count();
        Assert.Equal(6, uuidShards);
        var got = await client.GetAsync("mixed", ids.Select(ProtoId), withPayload: true, withVectors: true);
        Assert.Equal(ids.Select(id => id.ToString()), got.Select(p => p.Id.HasUuid ? p.Id.Uuid : p.Id.Num.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(got.Select((p, i) => (p, i)), x => Assert.Equal(glove[x.i].Vector, x.p.Vector.Data));

        // Exact searches return the single node's ids, UUIDs included.
        var queries = GloveSlice.Queries(10);
        for (int q = 0; q < queries.Count; q++)
        {
            var query = queries.Row(q).ToArray();
            var clustered = await client.SearchAsync("mixed", query, 20, parameters: new SearchParams { Exact = true });
            var local = await reference.SearchAsync(new SearchRequest(query, 20) { Exact = true });
            Assert.Equal(local.Select(h => (h.Id.ToString(), h.Score)), clustered.Select(h => (h.Id.HasUuid ? h.Id.Uuid : $"{h.Id.Num}", h.Score)));
            Assert.Contains(clustered, h => h.Id.HasUuid);
        }

        // vectordb.v1 Scroll through each silo in turn, pages of 64 (with a filter too): page by page the single node's
        // ids, payloads and next offsets (numbers, then UUIDs), every point once.
        using var client0 = new VectorDbClient(cluster.Silos[0].GrpcAddress);
        using var client2 = new VectorDbClient(cluster.Silos[2].GrpcAddress);
        VectorDbClient[] clients = [client0, client, client2];
        var g1 = new ProtoFilter();
        g1.Must.Add(new Condition { Field = new FieldCondition { Key = "group", Match = new Match { Keyword = "g1" } } });
        var engineG1 = new EngineFilter.Filter(Must: [new EngineFilter.MatchCondition("group", EngineFilter.FieldValue.Of("g1"))]);
        foreach (var (filter, engineFilter) in new[] { ((ProtoFilter?)null, (EngineFilter.Filter?)null), (g1, engineG1) })
        {
            var scrolled = new List<EnginePointId>();
            VectorDb.Api.V1.PointId? offset = null;
            EnginePointId? localOffset = null;
            int pages = 0;
            do
            {
                var page = await clients[pages % 3].ScrollAsync("mixed", offset, 64, filter, withPayload: true, withVectors: pages == 0);
                var local = await reference.ScrollAsync(engineFilter, localOffset, 64, withPayload: true, withVector: pages == 0);
                Assert.Equal(local.Points.Select(p => p.Id.ToString()), page.Result.Select(p => IdText(p.Id)));
                Assert.Equal(local.Points.Select(p => p.Payload!["row"]!.GetValue<long>()), page.Result.Select(p => p.Payload["row"].IntegerValue));
                if (pages == 0)
                {
                    Assert.Equal(local.Points.Select(p => p.Vector), page.Result.Select(p => p.Vector.Data.ToArray()));
                }
                Assert.Equal(local.NextPageOffset?.ToString(), page.NextPageOffset is null ? null : IdText(page.NextPageOffset));
                scrolled.AddRange(local.Points.Select(p => p.Id));
                offset = page.NextPageOffset;
                localOffset = local.NextPageOffset;
                pages++;
            }
            while (offset is not null && pages < 100);
            Assert.Equal(reference.ListIds(engineFilter), scrolled);
            Assert.True(pages > 1, $"{pages} pages");
        }
        var badLimit = await Assert.ThrowsAsync<RpcException>(() => client.ScrollAsync("mixed", limit: 1_000_000));
        Assert.Equal(StatusCode.InvalidArgument, badLimit.StatusCode);
    }

    [Fact]
    public async Task Shards_replicas_and_write_consistency_are_set_per_collection_and_write_and_checked_against_the_live_nodes()
    {
        await using var cluster = await LocalCluster.StartAsync(2, TimeSpan.FromSeconds(30), ["--shards", "4", "--replicas", "1", "--consistency", "one"]);
        using var client0 = new VectorDbClient(cluster.Silos[0].GrpcAddress);
        using var client1 = new VectorDbClient(cluster.Silos[1].GrpcAddress);
        CreateCollectionRequest Create(string name, uint shards, uint replicas, WriteConsistency consistency) => new()
        {
            CollectionName = name,
            Vectors = new VectorParams { Size = 4, Distance = Distance.Cosine },
            ShardNumber = shards,
            ReplicationFactor = replicas,
            WriteConsistency = consistency,
        };

        // Refused, creating nothing: R above the 2 live nodes, S above 256, R above 5, an unknown consistency.
        foreach (var (request, field) in new[]
        {
            (Create("bad", 2, 3, WriteConsistency.Default), "replicas"),
            (Create("bad", 257, 1, WriteConsistency.Default), "shard_number"),
            (Create("bad", 2, 6, WriteConsistency.Default), "replication_factor"),
            (Create("bad", 2, 1, (WriteConsistency)9), "consistency"),
        })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await client0.Collections.CreateAsync(request));
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.Contains(field, refused.Status.Detail, StringComparison.Ordinal);
        }
        Assert.Empty(await client1.ListCollectionsAsync());

        // Set at create through one node, read through the other; unset fields take the node's options.
        await client0.Collections.CreateAsync(Create("laid", 3, 2, WriteConsistency.Majority));
        await client0.Collections.CreateAsync(Create("plain", 0, 0, WriteConsistency.Default));
        var laid = (await client1.Collections.GetAsync(new GetCollectionInfoRequest { CollectionName = "laid" })).Result;
        Assert.Equal((3u, 2u, WriteConsistency.Majority), (laid.ShardNumber, laid.ReplicationFactor, laid.WriteConsistency));
        var plain = (await client1.Collections.GetAsync(new GetCollectionInfoRequest { CollectionName = "plain" })).Result;
        Assert.Equal((4u, 1u, WriteConsistency.One), (plain.ShardNumber, plain.ReplicationFactor, plain.WriteConsistency));
        var map = await cluster.Client.GetGrain<Grains.IShardMapGrain>("laid").Get();
        Assert.Equal((3, 2, "Majority"), (map!.Spec.Shards, map.Spec.Replicas, map.Spec.WriteConsistency)); // in the persisted map

        // Per write: each consistency is accepted, an unknown one refused before anything is written.
        var upsert = new UpsertPointsRequest { CollectionName = "laid" };
        upsert.Points.Add(Enumerable.Range(0, 30).Select(i => VectorDbClient.Point((ulong)i, [1, i, 0, 0.5f])));
        foreach (var consistency in new[] { WriteConsistency.All, WriteConsistency.One, WriteConsistency.Default })
        {
            upsert.Consistency = consistency;
            await client1.Points.UpsertAsync(upsert);
        }
        upsert.Consistency = (WriteConsistency)9;
        upsert.Points.Add(VectorDbClient.Point(100, [1, 0, 0, 0]));
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await client1.Points.UpsertAsync(upsert));
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Equal(30UL, await client0.CountAsync("laid"));
        var delete = new DeletePointsRequest { CollectionName = "laid", Consistency = WriteConsistency.One, Points = new PointsSelector { Points = new PointsIdsList() } };
        delete.Points.Points.Ids.Add(VectorDbClient.Id(3));
        await client0.Points.DeleteAsync(delete);
        Assert.Equal(29UL, await client1.CountAsync("laid"));
    }

    private static string IdText(VectorDb.Api.V1.PointId id) => id.HasUuid ? id.Uuid : id.Num.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ProtoFilter GroupFilter(int group, int below)
    {
        var filter = new ProtoFilter();
        filter.Must.Add(new Condition { Field = new FieldCondition { Key = "group", Match = new Match { Keyword = $"g{group}" } } });
        filter.Must.Add(new Condition { Field = new FieldCondition { Key = "row", Range = new VectorDb.Api.V1.Range { Lt = below } } });
        return filter;
    }

    private static Dictionary<string, Value> Payload(ulong row) => new()
    {
        ["row"] = new Value { IntegerValue = (long)row },
        ["group"] = new Value { StringValue = $"g{row % Groups}" },
    };

    private static System.Text.Json.Nodes.JsonObject Json(ulong row) => new() { ["row"] = (long)row, ["group"] = $"g{row % Groups}" };

    private static VectorDb.Api.V1.PointId ProtoId(EnginePointId id) => id.IsUuid ? VectorDbClient.Id(id.Uuid) : VectorDbClient.Id(id.Number);

    /// <summary>The k best by cosine similarity, computed in double from the raw vectors (an oracle independent of the
    /// engine's rotation, codes and kernels).</summary>
    private static (ulong Id, double Score)[] BruteForceCosine(IEnumerable<Contracts.ClusterPoint> points, float[] query, int k)
    {
        static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));
        double queryNorm = Norm(query);
        return [.. points
            .Select(p => (p.Id.Number, Score: p.Vector.Select((x, i) => (double)x * query[i]).Sum() / (Norm(p.Vector) * queryNorm)))
            .OrderByDescending(x => x.Score)
            .Take(k)];
    }
}
