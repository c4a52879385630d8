using System.Diagnostics;
using System.Globalization;
using SearchParams = VectorDb.Api.V1.SearchParams;
using VectorDb.Client;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Cluster.Tests.Support;
using VectorDb.Datasets;
using VectorDb;
using VectorDb.Index.Rerank;

// Usage: vectordb-cluster-bench [--data <dir with base.fvecs, query.fvecs>] [--seconds <search seconds per run>]
//                               [--concurrency <searches in flight>]
var options = args.Chunk(2).ToDictionary(p => p[0].TrimStart('-'), p => p.Length > 1 ? p[1] : "");
string data = options.GetValueOrDefault("data", "datasets/glove-100-angular-20k");
double seconds = double.Parse(options.GetValueOrDefault("seconds", "15"), CultureInfo.InvariantCulture);
int concurrency = int.Parse(options.GetValueOrDefault("concurrency", "4"), CultureInfo.InvariantCulture);
const int Shards = 6;

var points = Texmex.ReadFvecs(Path.Combine(data, "base.fvecs"));
var queries = Texmex.ReadFvecs(Path.Combine(data, "query.fvecs"));
var input = Enumerable.Range(0, points.Count).Select(i => new ClusterPoint((ulong)i, points.Row(i).ToArray())).ToArray();
Console.WriteLine($"load average at the start: {File.ReadAllText("/proc/loadavg").Trim()}");
Console.WriteLine($"data {data}: {points.Count} x {points.Dimension}, {queries.Count} queries; S = {Shards}, k = 10, cosine, 4 bits, re-rank auto; " +
    $"{concurrency} searches in flight for {seconds} s; {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| silos | R | ingest points/s (consistency all, 500 per call) | search path | search QPS | p50 ms | p99 ms | CPU ms per query (silos + client) |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");

foreach (var (silos, replicas) in new[] { (1, 1), (3, 1), (3, 2) })
{
    await using var cluster = await LocalCluster.StartAsync(silos, TimeSpan.FromSeconds(30));
    var coordinator = cluster.Client.GetGrain<IClusterCoordinatorGrain>(0);
    await coordinator.CreateCollection("bench", ClusterCollectionSpec.From(new CollectionConfig(points.Dimension, Metric.Cosine), Shards, replicas));

    var ingest = Stopwatch.StartNew();
    foreach (var batch in input.Chunk(500))
    {
        var result = await coordinator.Upsert("bench", batch, WriteConsistency.All);
        if (!result.AllAcknowledged)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors));
        }
    }
    double pointsPerSecond = input.Length / ingest.Elapsed.TotalSeconds;

    // Searches through the coordinator grain (an Orleans client in this process) and through the nodes' vectordb.v1
    // gRPC API (the project's client, calls spread over every node, as users call it).
    var grpcClients = cluster.Silos.Select(s => new VectorDbClient(s.GrpcAddress)).ToArray();
    var grpcSearch = new SearchParams();
    var paths = new (string Name, Func<int, Task> Search)[]
    {
        ("Orleans client", q => coordinator.Search("bench", new ShardSearchRequest(queries.Row(q % queries.Count).ToArray(), 10), false, ReadPreference.Any)),
        ("gRPC API", q => grpcClients[q % grpcClients.Length].SearchAsync("bench", queries.Row(q % queries.Count).ToArray(), 10, parameters: grpcSearch)),
    };
    foreach (var (name, search) in paths)
    {
        await SearchFor(search, TimeSpan.FromSeconds(3)); // warm-up: JIT, activations, connections
        TimeSpan CpuNow() => cluster.Silos.Aggregate(Process.GetCurrentProcess().TotalProcessorTime, (sum, s) => sum + s.ProcessorTime);
        var cpuBefore = CpuNow();
        var clock = Stopwatch.StartNew();
        var measured = await SearchFor(search, TimeSpan.FromSeconds(seconds));
        double elapsed = clock.Elapsed.TotalSeconds;
        double cpuPerQuery = (CpuNow() - cpuBefore).TotalMilliseconds / measured.Count;
        measured.Sort();
        double P(double quantile) => measured[Math.Min(measured.Count - 1, (int)(quantile * measured.Count))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {silos} | {replicas} | {pointsPerSecond:F0} | {name} | {measured.Count / elapsed:F0} | {P(0.5):F2} | {P(0.99):F2} | {cpuPerQuery:F2} |"));
    }
    foreach (var client in grpcClients)
    {
        client.Dispose();
    }
}

Console.WriteLine();
Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");

async Task<List<double>> SearchFor(Func<int, Task> search, TimeSpan duration)
{
    var latencies = new List<double>();
    var until = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
    {
        var mine = new List<double>();
        for (int q = worker; until.Elapsed < duration; q += concurrency)
        {
            long start = Stopwatch.GetTimestamp();
            await search(q);
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        lock (latencies)
        {
            latencies.AddRange(mine);
        }
    }));
    return latencies;
}
