using VectorDb.Gpu;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.GpuBench;

/// <summary>One correctness check of the device against the CPU scorer.</summary>
internal sealed record CheckResult(string Name, bool Passed, double WorstErrorOverTolerance, int Compared, string Detail);

/// <summary>
/// The CI tests' comparisons, run on the real device at realistic dimensions: candidate scores within the float32
/// bound of the CPU scores (two float32 evaluations of one sum differ by at most 2·γ_(d+4)·Σ|term|), brute-force
/// top-k equal up to near-ties, and a deleted slot never scored or returned.
/// </summary>
internal static class Checks
{
    public static List<CheckResult> Run(BenchEnvironment environment, int count, int[] dimensions)
    {
        var results = new List<CheckResult>();
        foreach (int dimension in dimensions)
        {
            float[] rows = BenchData.Rows(count, dimension, seed: 1000 + (ulong)dimension);
            float[] queries = BenchData.Rows(8, dimension, seed: 2000 + (ulong)dimension);
            foreach (OriginalsFormat precision in new[] { OriginalsFormat.Float32, OriginalsFormat.Float16 }) // the formats that keep originals
            {
                OriginalVectorStore store = BenchData.Store(rows, dimension, precision);
                foreach (Metric metric in Enum.GetValues<Metric>())
                {
                    string name = $"d={dimension} {precision} {metric}";
                    using GpuExactScorer gpu = environment.CreateScorer(store, metric);
                    var cpu = new ExactScorer(store, metric);
                    results.Add(CompareScores(name, store, gpu, cpu, queries));
                    results.Add(CompareSearch(name, store, gpu, cpu, queries));
                    results.Add(DeletedNeverReturned(name, store, gpu, queries.AsSpan(0, dimension)));
                }
            }
        }
        return results;
    }

    private static CheckResult CompareScores(string name, OriginalVectorStore store, GpuExactScorer gpu, ExactScorer cpu, float[] queries)
    {
        int queryCount = queries.Length / store.Dimension;
        (int[] offsets, int[] slots) = BenchData.Candidates(queryCount, 500, store.SlotCount, seed: 7);
        var gpuScores = new float[slots.Length];
        var cpuScores = new float[slots.Length];
        gpu.ScoreBatch(queries, offsets, slots, gpuScores);
        cpu.ScoreBatch(queries, offsets, slots, cpuScores);
        double worst = 0;
        for (int q = 0; q < queryCount; q++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(q * store.Dimension, store.Dimension);
            for (int i = offsets[q]; i < offsets[q + 1]; i++)
            {
                double tolerance = ScoreTolerance.Between(store, query, slots[i], gpu.Metric);
                double ratio = Math.Abs(gpuScores[i] - cpuScores[i]) / tolerance;
                worst = double.IsNaN(ratio) ? double.PositiveInfinity : Math.Max(worst, ratio);
            }
        }
        return new CheckResult($"{name} ScoreBatch", worst <= 1, worst, slots.Length, $"{queryCount} queries x 500 candidates");
    }

    private static CheckResult CompareSearch(string name, OriginalVectorStore store, GpuExactScorer gpu, ExactScorer cpu, float[] queries)
    {
        const int K = 10;
        int queryCount = queries.Length / store.Dimension;
        var gpuBest = new ScoredSlot[queryCount * K];
        var cpuBest = new ScoredSlot[queryCount * K];
        var gpuCounts = new int[queryCount];
        var cpuCounts = new int[queryCount];
        gpu.SearchAllBatch(queries, K, gpuBest, gpuCounts);
        cpu.SearchAllBatch(queries, K, cpuBest, cpuCounts);
        var single = new ScoredSlot[K];
        gpu.SearchAll(queries.AsSpan(0, store.Dimension), single);
        double worst = 0;
        int slotMismatches = 0;
        for (int q = 0; q < queryCount; q++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(q * store.Dimension, store.Dimension);
            if (gpuCounts[q] != cpuCounts[q])
            {
                return new CheckResult($"{name} SearchAll", false, double.PositiveInfinity, 0, $"query {q}: {gpuCounts[q]} vs {cpuCounts[q]} results");
            }
            for (int i = 0; i < K; i++)
            {
                ScoredSlot g = gpuBest[q * K + i], c = cpuBest[q * K + i];
                double tolerance = ScoreTolerance.Between(store, query, g.Slot, gpu.Metric) + ScoreTolerance.Between(store, query, c.Slot, gpu.Metric);
                worst = Math.Max(worst, Math.Abs(g.Score - c.Score) / tolerance);
                slotMismatches += g.Slot == c.Slot ? 0 : 1;
                if (q == 0)
                {
                    worst = Math.Max(worst, Math.Abs(single[i].Score - c.Score) / tolerance);
                }
            }
        }
        return new CheckResult($"{name} SearchAll", worst <= 1, worst, queryCount * K,
            $"k={K}, batch of {queryCount} (tiled) and 1 (warp per row); {slotMismatches} rank swaps within tolerance");
    }

    private static CheckResult DeletedNeverReturned(string name, OriginalVectorStore store, GpuExactScorer gpu, ReadOnlySpan<float> query)
    {
        var best = new ScoredSlot[10];
        gpu.SearchAll(query, best);
        int deleted = best[0].Slot;
        var rows = new float[store.Dimension];
        store.CopyTo(deleted, rows);
        store.Delete(deleted);
        gpu.SearchAll(query, best);
        bool absent = Array.TrueForAll(best, result => result.Slot != deleted);
        var score = new float[1];
        gpu.Score(query, [deleted], score);
        store.Upsert(deleted, rows);
        return new CheckResult($"{name} delete", absent && float.IsNaN(score[0]), 0, 1,
            $"slot {deleted} deleted: {(absent ? "not returned" : "RETURNED")}, scored {score[0]}");
    }
}
