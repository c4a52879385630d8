using System.Diagnostics;
using VectorDb.Gpu;
using VectorDb.Index.Rerank;

namespace VectorDb.GpuBench;

/// <summary>One timed scenario. Kernel times are device events around the launches; wall times include query
/// upload, selection and copies back (what a caller sees).</summary>
internal sealed record Measurement(
    string Precision, string Scenario, int Queries, int Vectors, int Dimension, int Runs,
    double KernelMsMedian, double KernelMsMin, double SelectMsMedian, double WallMsMedian,
    double EffectiveGBps, double QueriesPerSecond, string Notes);

internal static class Measurements
{
    public static List<Measurement> Run(BenchEnvironment environment, int count, int dimension, int batch, int runs, Action<string> log)
    {
        var results = new List<Measurement>();
        log($"generating {count:N0} x {dimension} rows");
        float[] rows = BenchData.Rows(count, dimension, seed: 42);
        float[] queries = BenchData.Rows(Math.Max(batch, 1) * 4, dimension, seed: 43);
        foreach (OriginalsFormat precision in new[] { OriginalsFormat.Float32, OriginalsFormat.Float16 }) // the formats that keep originals
        {
            log($"{precision}: building store");
            OriginalVectorStore store = BenchData.Store(rows, dimension, precision);
            using GpuExactScorer gpu = environment.CreateScorer(store, Metric.InnerProduct);
            var upload = Stopwatch.StartNew();
            if (!gpu.Synchronize())
            {
                throw new InvalidOperationException($"collection not resident: {gpu.Memory.FallbackReason}");
            }
            log($"{precision}: uploaded {gpu.Memory.ResidentBytes:N0} device bytes in {upload.Elapsed.TotalSeconds:F2} s");
            long rowBytes = (long)count * dimension * store.BytesPerCoordinate;
            string name = precision.ToString();

            results.Add(Time(name, "brute force, 1 query, k=10", 1, count, dimension, runs, rowBytes, run =>
            {
                var best = new ScoredSlot[10];
                gpu.SearchAll(queries.AsSpan(run % 4 * dimension, dimension), best);
                return gpu.LastKernelTimes;
            }, "warp per row, 16-byte loads; rate = row bytes / scoring-kernel time"));

            results.Add(Time(name, $"brute force, batch {batch}, k=10", batch, count, dimension, Math.Max(3, runs / 3), rowBytes, run =>
            {
                var best = new ScoredSlot[batch * 10];
                var counts = new int[batch];
                gpu.SearchAllBatch(queries.AsSpan(run % 4 * batch * dimension, batch * dimension), 10, best, counts);
                return gpu.LastKernelTimes;
            }, "64x64 tiles through shared memory; QPS = batch / wall time"));

            (int[] offsets, int[] slots) = BenchData.Candidates(batch, 1000, count, seed: 44);
            long candidateBytes = (long)slots.Length * dimension * store.BytesPerCoordinate;
            results.Add(Time(name, $"rerank {batch} x 1000 candidates, k=10", batch, slots.Length, dimension, runs, candidateBytes, run =>
            {
                var best = new ScoredSlot[batch * 10];
                var counts = new int[batch];
                gpu.RerankBatch(queries.AsSpan(0, batch * dimension), offsets, slots, 10, best, counts);
                return gpu.LastKernelTimes;
            }, "random slots (gathers); rate = candidate bytes / scoring-kernel time"));

            var cpu = new ExactScorer(store, Metric.InnerProduct);
            results.Add(Time(name, $"CPU rerank {batch} x 1000 candidates, k=10 (1 thread, {cpu.Level})", batch, slots.Length, dimension,
                Math.Max(3, runs / 3), candidateBytes, run =>
                {
                    var best = new ScoredSlot[batch * 10];
                    var counts = new int[batch];
                    cpu.RerankBatch(queries.AsSpan(0, batch * dimension), offsets, slots, 10, best, counts);
                    return default;
                }, "CPU baseline for the same call"));

            results.Add(Time(name, $"CPU brute force, 1 query, k=10 (1 thread, {cpu.Level})", 1, count, dimension, 2, rowBytes, run =>
            {
                var best = new ScoredSlot[10];
                cpu.SearchAll(queries.AsSpan(0, dimension), best);
                return default;
            }, "CPU baseline"));
        }
        return results;
    }

    private static Measurement Time(string precision, string scenario, int queryCount, int vectors, int dimension, int runs,
        long bytes, Func<int, KernelTimes> call, string notes)
    {
        for (int warmUp = 0; warmUp < 2; warmUp++)
        {
            call(warmUp);
        }
        var kernel = new List<double>();
        var select = new List<double>();
        var wall = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            KernelTimes times = call(run);
            wall.Add(stopwatch.Elapsed.TotalMilliseconds);
            kernel.Add(times.Score.TotalMilliseconds);
            select.Add(times.Select.TotalMilliseconds);
        }
        double kernelMedian = Stats.Median(kernel);
        double wallMedian = Stats.Median(wall);
        double timeForRate = kernelMedian > 0 ? kernelMedian : wallMedian;
        return new Measurement(precision, scenario, queryCount, vectors, dimension, runs, kernelMedian, kernel.Min(),
            Stats.Median(select), wallMedian, bytes / (timeForRate / 1000) / 1e9, queryCount / (wallMedian / 1000), notes);
    }
}
