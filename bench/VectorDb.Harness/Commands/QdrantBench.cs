using System.Diagnostics;
using Qdrant.Client;
using VectorDb.Datasets;

namespace VectorDb.Harness.Commands;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using Qdrant.Client.Grpc;

/// <summary>serve-bench's Qdrant gRPC side: Qdrant's official .NET client (<c>Qdrant.Client</c>) sending the universal
/// query (<c>qdrant.Points/Query</c>, one client per simulated client, as an application would), and a scroll over
/// every point.</summary>
internal static class QdrantBench
{
    /// <summary>N clients issuing single queries for a fixed time.</summary>
    public static async Task<ServeBenchCommand.ServeRun> MeasureAsync(string url, string collection, Dataset dataset, int clients, int seconds,
        int warmup, int k, bool noRerank)
    {
        var measureFrom = DateTime.UtcNow.AddSeconds(warmup);
        var measureTo = measureFrom.AddSeconds(seconds);
        var parameters = noRerank ? new SearchParams { Quantization = new QuantizationSearchParams { Rescore = false } } : null;
        var queries = Enumerable.Range(0, dataset.Queries.Count).Select(q => dataset.Queries.Row(q).ToArray()).ToArray();
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var qdrant = new QdrantClient(new Uri(url));
            var latencies = new List<double>();
            int found = 0, asked = 0;
            for (int i = c * 7; DateTime.UtcNow < measureTo; i++)
            {
                int q = i % queries.Length;
                long t0 = Stopwatch.GetTimestamp();
                var hits = await qdrant.QueryAsync(collection, queries[q], searchParams: parameters, limit: (ulong)k);
                double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (DateTime.UtcNow >= measureFrom)
                {
                    latencies.Add(ms);
                    var truth = dataset.TrueNeighbours[q].Take(k).ToHashSet();
                    found += hits.Count(h => truth.Contains((int)h.Id.Num));
                    asked += k;
                }
            }
            return (latencies, found, asked);
        })));
        return ServeBenchCommand.Summarise("qdrant-grpc", clients, seconds, k, perClient);
    }

    /// <summary>Scrolls through every point in pages of 1000 (payloads on, vectors off); returns ids per second.</summary>
    public static async Task<double> ScrollAsync(string url, string collection, int expected)
    {
        using var qdrant = new QdrantClient(new Uri(url));
        var clock = Stopwatch.StartNew();
        int seen = 0;
        PointId? offset = null;
        do
        {
            var page = await qdrant.ScrollAsync(collection, limit: 1000, offset: offset);
            seen += page.Result.Count;
            offset = page.NextPageOffset;
        }
        while (offset is not null);
        double idsPerSecond = seen / clock.Elapsed.TotalSeconds;
        if (seen != expected)
        {
            throw new InvalidOperationException($"the scroll saw {seen} points, expected {expected}.");
        }
        Console.Error.WriteLine($"qdrant-grpc scroll: {seen} ids, {idsPerSecond:F0} ids/s");
        return idsPerSecond;
    }
}
