using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Gpu.Tests;

/// <summary>The GPU kernels (run on ILGPU's CPU accelerator) against the CPU re-scorer, for every precision × metric.</summary>
public class GpuExactScorerTests
{
    // 37 coordinates: not a multiple of the 4-float or 8-half chunk, so row and query padding are exercised.
    private const int Dimension = 37;

    public static TheoryData<OriginalsFormat, Metric> Combinations()
    {
        var data = new TheoryData<OriginalsFormat, Metric>();
        foreach (OriginalsFormat precision in new[] { OriginalsFormat.Float32, OriginalsFormat.Float16 }) // the formats that keep originals
        {
            foreach (Metric metric in Enum.GetValues<Metric>())
            {
                data.Add(precision, metric);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void EveryCall_MatchesTheCpuScorer(OriginalsFormat precision, Metric metric)
    {
        const int Count = 100, K = 6;
        (OriginalVectorStore store, _) = Emulator.RandomStore(Dimension, precision, Count, 17);
        store.Delete(3);
        store.Delete(77);
        var cpu = new ExactScorer(store, metric, SimdLevel.Scalar);
        using GpuExactScorer gpu = Emulator.Create(store, metric);
        var random = new SplitMix64(99);
        float[] queries = Emulator.Gaussian(ref random, Dimension * 3);
        int[] offsets = [0, 40, 40, 90];
        int[] slots = Enumerable.Range(0, 90).Select(i => (i * 53 + 3) % (Count + 10)).ToArray();  // some past SlotCount

        var gpuScores = new float[slots.Length];
        var cpuScores = new float[slots.Length];
        gpu.ScoreBatch(queries, offsets, slots, gpuScores);
        cpu.ScoreBatch(queries, offsets, slots, cpuScores);
        for (int q = 0; q < 3; q++)
        {
            for (int i = offsets[q]; i < offsets[q + 1]; i++)
            {
                if (float.IsNaN(cpuScores[i]))
                {
                    Assert.True(float.IsNaN(gpuScores[i]), $"slot {slots[i]} is not live but the GPU scored it {gpuScores[i]}");
                    continue;
                }
                double tolerance = ScoreTolerance.Between(store, queries.AsSpan(q * Dimension, Dimension), slots[i], metric);
                Assert.True(Math.Abs(gpuScores[i] - cpuScores[i]) <= tolerance, $"slot {slots[i]}: GPU {gpuScores[i]}, CPU {cpuScores[i]}");
            }
        }
        Assert.True(gpu.Memory.IsResident, gpu.Memory.FallbackReason);

        var gpuBest = new ScoredSlot[3 * K];
        var cpuBest = new ScoredSlot[3 * K];
        var gpuCounts = new int[3];
        var cpuCounts = new int[3];
        gpu.RerankBatch(queries, offsets, slots, K, gpuBest, gpuCounts);
        cpu.RerankBatch(queries, offsets, slots, K, cpuBest, cpuCounts);
        AssertSameTopK(store, queries, metric, K, gpuBest, gpuCounts, cpuBest, cpuCounts);

        gpu.SearchAllBatch(queries, K, gpuBest, gpuCounts);  // 3 queries: tiled kernel + device top-k
        cpu.SearchAllBatch(queries, K, cpuBest, cpuCounts);
        AssertSameTopK(store, queries, metric, K, gpuBest, gpuCounts, cpuBest, cpuCounts);

        var single = new ScoredSlot[K];
        Assert.Equal(K, gpu.SearchAll(queries.AsSpan(0, Dimension), single));  // 1 query: warp-per-pair kernel
        AssertSameTopK(store, queries, metric, K, single, [K], cpuBest.AsSpan(0, K), [cpuCounts[0]]);
    }

    /// <summary>Same counts; each query's lists agree slot for slot except where two scores are within the
    /// tolerance of each other (a near-tie may order differently in two float32 evaluations).</summary>
    internal static void AssertSameTopK(OriginalVectorStore store, float[] queries, Metric metric, int k,
        ReadOnlySpan<ScoredSlot> gpu, ReadOnlySpan<int> gpuCounts, ReadOnlySpan<ScoredSlot> cpu, ReadOnlySpan<int> cpuCounts)
    {
        for (int q = 0; q < gpuCounts.Length; q++)
        {
            Assert.Equal(cpuCounts[q], gpuCounts[q]);
            ReadOnlySpan<float> query = queries.AsSpan(q * store.Dimension, store.Dimension);
            for (int i = 0; i < gpuCounts[q]; i++)
            {
                ScoredSlot g = gpu[q * k + i], c = cpu[q * k + i];
                Assert.True(store.IsLive(g.Slot), $"query {q} rank {i}: slot {g.Slot} is not live");
                double tolerance = ScoreTolerance.Between(store, query, g.Slot, metric) + ScoreTolerance.Between(store, query, c.Slot, metric);
                // Slots may differ only at a near-tie: whatever slot holds rank i, its score agrees within the bound.
                Assert.True(Math.Abs(g.Score - c.Score) <= tolerance,
                    $"query {q} rank {i}: GPU slot {g.Slot} ({g.Score}), CPU slot {c.Slot} ({c.Score}), tolerance {tolerance:E2}");
            }
        }
    }

    [Fact]
    public void SearchAll_ManySegmentsAndLargeK_MatchTheCpu()
    {
        // 1,300 slots in 512-score segments: three segments per query to merge (production segments hold 8,192;
        // the emulator is too slow for that many). k = 1,100 exceeds MaxDeviceK, so the host selects.
        (OriginalVectorStore store, _) = Emulator.RandomStore(4, OriginalsFormat.Float32, 1_300, 5);
        store.Delete(1_250);
        var cpu = new ExactScorer(store, Metric.L2);
        using GpuExactScorer gpu = Emulator.Create(store, Metric.L2);
        gpu.SegmentSize = 512;
        float[] queries = [0.1f, -0.2f, 0.3f, 0.05f, 1f, 1f, -1f, 0f];
        foreach (int k in new[] { 9, 1_100 })
        {
            var gpuBest = new ScoredSlot[2 * k];
            var cpuBest = new ScoredSlot[2 * k];
            var gpuCounts = new int[2];
            var cpuCounts = new int[2];
            gpu.SearchAllBatch(queries, k, gpuBest, gpuCounts);
            cpu.SearchAllBatch(queries, k, cpuBest, cpuCounts);
            AssertSameTopK(store, queries, Metric.L2, k, gpuBest, gpuCounts, cpuBest, cpuCounts);
        }
    }

    [Fact]
    public void UpsertsAndDeletes_AreSeenByTheNextCall()
    {
        (OriginalVectorStore store, _) = Emulator.RandomStore(8, OriginalsFormat.Float16, 40, 23);
        using GpuExactScorer gpu = Emulator.Create(store, Metric.InnerProduct);
        float[] query = [1, 1, 1, 1, 1, 1, 1, 1];
        var best = new ScoredSlot[3];
        gpu.SearchAll(query, best);
        int winner = best[0].Slot;

        store.Delete(winner);
        gpu.SearchAll(query, best);
        Assert.DoesNotContain(best, result => result.Slot == winner);
        var scores = new float[1];
        gpu.Score(query, [winner], scores);
        Assert.True(float.IsNaN(scores[0]), "a deleted slot must score NaN on the device");

        store.Upsert(winner, [9, 9, 9, 9, 9, 9, 9, 9]);       // back, with a new and larger vector
        int capacityBefore = gpu.DeviceCapacity;
        store.Upsert(200, [10, 10, 10, 10, 10, 10, 10, 10]);   // beyond the device capacity: the mirror grows
        gpu.SearchAll(query, best);
        Assert.True(capacityBefore < 200 && gpu.DeviceCapacity > 200, $"capacity {capacityBefore} -> {gpu.DeviceCapacity}");
        Assert.Equal([200, winner], best[..2].Select(result => result.Slot));
        Assert.Equal(80f, best[0].Score);
        Assert.Equal(72f, best[1].Score);
        Assert.True(gpu.Memory.IsResident);
    }

    [Fact]
    public void OverBudget_FallsBackToTheCpuAndReportsWhy()
    {
        (OriginalVectorStore store, _) = Emulator.RandomStore(16, OriginalsFormat.Float32, 50, 31);
        long bytesPerSlot = 16 * 4 + 8;
        using GpuExactScorer gpu = Emulator.Create(store, Metric.Cosine,
            new GpuScorerOptions { DeviceMemoryBudgetBytes = 100 * bytesPerSlot });
        var cpu = new ExactScorer(store, Metric.Cosine);
        var random = new SplitMix64(3);
        float[] query = Emulator.Gaussian(ref random, 16);
        var gpuBest = new ScoredSlot[5];
        var cpuBest = new ScoredSlot[5];

        Assert.True(gpu.Synchronize());
        Assert.True(gpu.Memory.IsResident);
        Assert.True(gpu.Memory.ResidentBytes >= 50 * bytesPerSlot);

        store.Upsert(150, query);  // 151 slots no longer fit 100 slots' worth of budget
        gpu.SearchAll(query, gpuBest);
        cpu.SearchAll(query, cpuBest);

        GpuMemoryReport report = gpu.Memory;
        Assert.False(report.IsResident);
        Assert.Equal(0, report.ResidentBytes);
        Assert.Contains("budget", report.FallbackReason);
        Assert.Contains("fallback", gpu.Backend);
        Assert.Equal(cpuBest, gpuBest);
        Assert.Equal(150, gpuBest[0].Slot);
    }

    [Fact]
    public void BadArguments_ThrowBeforeTouchingTheDevice()
    {
        (OriginalVectorStore store, _) = Emulator.RandomStore(4, OriginalsFormat.Float32, 3, 1);
        using GpuExactScorer gpu = Emulator.Create(store, Metric.L2);
        Assert.Throws<ArgumentException>(() => gpu.Score([1, 2, 3], [0], new float[1]));
        Assert.Throws<ArgumentException>(() => gpu.Score([1, 2, 3, 4], [-1], new float[1]));
        Assert.Throws<ArgumentException>(() => gpu.SearchAllBatch([1, 2, 3, 4], 2, new ScoredSlot[1], new int[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Emulator.Create(store, Metric.L2, new GpuScorerOptions { DeviceMemoryBudgetBytes = -1 }));
    }
}
