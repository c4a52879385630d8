using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Tests.Rerank;

/// <summary>
/// Every metric × precision × available SIMD level against the float64 <see cref="RerankOracle"/>, at dimensions on
/// both sides of each vector width, plus deletes, top-k, brute force and the batched forms.
/// </summary>
public class ExactScorerTests
{
    /// <summary>Edges of 4-, 8-, 16- and 32-float blocks (the float16 loops step by 2 vectors), GloVe and BERT shapes.</summary>
    private static readonly int[] Dimensions = [1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 768];

    public static TheoryData<SimdLevel, OriginalsFormat, Metric> Combinations()
    {
        var data = new TheoryData<SimdLevel, OriginalsFormat, Metric>();
        foreach (SimdLevel level in SimdCapabilities.Available)
        {
            foreach (OriginalsFormat precision in new[] { OriginalsFormat.Float32, OriginalsFormat.Float16 }) // the formats that keep originals
            {
                foreach (Metric metric in Enum.GetValues<Metric>())
                {
                    data.Add(level, precision, metric);
                }
            }
        }
        return data;
    }

    private static (OriginalVectorStore Store, RerankOracle Oracle) Build(int dimension, OriginalsFormat precision, int count, ulong seed)
    {
        var store = new OriginalVectorStore(dimension, precision);
        var oracle = new RerankOracle(dimension, precision);
        var random = new SplitMix64(seed);
        for (int slot = 0; slot < count; slot++)
        {
            // Scales from 0.01 to 100 so that large and small magnitudes both appear.
            float[] vector = RerankOracle.Gaussian(ref random, dimension, Math.Pow(10, random.NextDouble() * 4 - 2));
            store.Upsert(slot, vector);
            oracle.Upsert(slot, vector);
        }
        return (store, oracle);
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Score_EveryDimension_WithinFloat32BoundOfFloat64Oracle(SimdLevel level, OriginalsFormat precision, Metric metric)
    {
        foreach (int dimension in Dimensions)
        {
            (OriginalVectorStore store, RerankOracle oracle) = Build(dimension, precision, 24, (ulong)dimension * 7919);
            var scorer = new ExactScorer(store, metric, level);
            var random = new SplitMix64((ulong)dimension);
            float[] query = RerankOracle.Gaussian(ref random, dimension, 3.0);
            int[] slots = Enumerable.Range(0, 24).Reverse().ToArray();
            var scores = new float[slots.Length];
            scorer.Score(query, slots, scores);
            for (int i = 0; i < slots.Length; i++)
            {
                (double expected, double tolerance) = oracle.Score(query, slots[i], metric);
                Assert.True(Math.Abs(scores[i] - expected) <= tolerance,
                    $"{level} {precision} {metric} d={dimension} slot {slots[i]}: {scores[i]} vs exact {expected} (tolerance {tolerance})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Rerank_ReturnsTheOracleTopK(SimdLevel level, OriginalsFormat precision, Metric metric)
    {
        const int Dimension = 100, Count = 300, K = 10;
        (OriginalVectorStore store, RerankOracle oracle) = Build(Dimension, precision, Count, 42);
        var scorer = new ExactScorer(store, metric, level);
        var random = new SplitMix64(7);
        float[] query = RerankOracle.Gaussian(ref random, Dimension);
        int[] candidates = Enumerable.Range(0, Count).Where(slot => slot % 3 != 1).ToArray();
        var best = new ScoredSlot[K];

        int found = scorer.Rerank(query, candidates, best);

        Assert.Equal(K, found);
        AssertIsOracleTopK(oracle, query, metric, candidates, best);
    }

    /// <summary>Each returned score is within tolerance of its exact score, the list is ordered, and no candidate
    /// left out is better than the k-th returned one by more than the two tolerances (near-ties may swap).</summary>
    internal static void AssertIsOracleTopK(RerankOracle oracle, float[] query, Metric metric, IEnumerable<int> candidates, ReadOnlySpan<ScoredSlot> best)
    {
        double sign = metric.SmallerIsBetter() ? -1 : 1;
        var returned = new HashSet<int>();
        for (int i = 0; i < best.Length; i++)
        {
            (double exact, double tolerance) = oracle.Score(query, best[i].Slot, metric);
            Assert.True(Math.Abs(best[i].Score - exact) <= tolerance, $"rank {i} slot {best[i].Slot}: {best[i].Score} vs {exact}");
            Assert.True(returned.Add(best[i].Slot), $"slot {best[i].Slot} returned twice");
            if (i > 0)
            {
                Assert.True(sign * best[i - 1].Score >= sign * best[i].Score, $"ranks {i - 1} and {i} out of order");
            }
        }
        (double kth, double kthTolerance) = oracle.Score(query, best[^1].Slot, metric);
        foreach (int slot in candidates.Where(oracle.IsLive).Where(slot => !returned.Contains(slot)))
        {
            (double exact, double tolerance) = oracle.Score(query, slot, metric);
            Assert.True(sign * exact <= sign * kth + tolerance + kthTolerance,
                $"slot {slot} (exact {exact}) beats the k-th result (exact {kth}) but was left out");
        }
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void SearchAll_EqualsRerankOverEveryLiveSlot(SimdLevel level, OriginalsFormat precision, Metric metric)
    {
        const int Dimension = 33, Count = 200, K = 7;
        (OriginalVectorStore store, RerankOracle oracle) = Build(Dimension, precision, Count, 5);
        for (int slot = 0; slot < Count; slot += 4)
        {
            store.Delete(slot);
            oracle.Delete(slot);
        }
        var scorer = new ExactScorer(store, metric, level);
        var random = new SplitMix64(11);
        float[] query = RerankOracle.Gaussian(ref random, Dimension);
        var all = new ScoredSlot[K];
        var viaRerank = new ScoredSlot[K];

        int found = scorer.SearchAll(query, all);
        scorer.Rerank(query, Enumerable.Range(0, Count).ToArray(), viaRerank);

        Assert.Equal(K, found);
        Assert.Equal(viaRerank, all);
        Assert.DoesNotContain(all, result => result.Slot % 4 == 0);
        AssertIsOracleTopK(oracle, query, metric, Enumerable.Range(0, Count), all);
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Batches_EqualOneQueryAtATime(SimdLevel level, OriginalsFormat precision, Metric metric)
    {
        const int Dimension = 64, Count = 120, K = 5;
        (OriginalVectorStore store, _) = Build(Dimension, precision, Count, 9);
        var scorer = new ExactScorer(store, metric, level);
        var random = new SplitMix64(13);
        int[] offsets = [0, 10, 10, 45, 80];  // query 1 has no candidates
        int[] slots = Enumerable.Range(0, 80).Select(i => (i * 37) % Count).ToArray();
        float[] queries = RerankOracle.Gaussian(ref random, Dimension * (offsets.Length - 1));
        var batchScores = new float[slots.Length];
        var batchBest = new ScoredSlot[K * 4];
        var counts = new int[4];
        var allBest = new ScoredSlot[K * 4];
        var allCounts = new int[4];

        scorer.ScoreBatch(queries, offsets, slots, batchScores);
        scorer.RerankBatch(queries, offsets, slots, K, batchBest, counts);
        scorer.SearchAllBatch(queries, K, allBest, allCounts);

        for (int q = 0; q < 4; q++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(q * Dimension, Dimension);
            int[] mine = slots[offsets[q]..offsets[q + 1]];
            var single = new float[mine.Length];
            scorer.Score(query, mine, single);
            Assert.Equal(single, batchScores[offsets[q]..offsets[q + 1]]);
            var singleBest = new ScoredSlot[K];
            Assert.Equal(scorer.Rerank(query, mine, singleBest), counts[q]);
            Assert.Equal(singleBest.AsSpan(0, counts[q]).ToArray(), batchBest.AsSpan(q * K, counts[q]).ToArray());
            Assert.Equal(scorer.SearchAll(query, singleBest), allCounts[q]);
            Assert.Equal(singleBest, allBest.AsSpan(q * K, K).ToArray());
        }
        Assert.Equal(0, counts[1]);
    }

    [Fact]
    public void Score_DeletedNeverWrittenAndFarSlots_AreNaNAndNeverReturned()
    {
        (OriginalVectorStore store, _) = Build(16, OriginalsFormat.Float32, 10, 3);
        store.Delete(4);
        var scorer = new ExactScorer(store, Metric.InnerProduct);
        float[] query = Enumerable.Repeat(1f, 16).ToArray();
        int[] slots = [4, 3, 10, 5_000_000];
        var scores = new float[slots.Length];
        var best = new ScoredSlot[4];

        scorer.Score(query, slots, scores);
        int found = scorer.Rerank(query, slots, best);

        Assert.True(float.IsNaN(scores[0]) && float.IsNaN(scores[2]) && float.IsNaN(scores[3]));
        Assert.False(float.IsNaN(scores[1]));
        Assert.Equal(1, found);
        Assert.Equal(3, best[0].Slot);
    }

    [Fact]
    public void Cosine_ZeroVectorOrQuery_ScoresZero()
    {
        var store = new OriginalVectorStore(8, OriginalsFormat.Float32);
        store.Upsert(0, new float[8]);
        store.Upsert(1, Enumerable.Repeat(2f, 8).ToArray());
        var scorer = new ExactScorer(store, Metric.Cosine);
        var scores = new float[2];

        scorer.Score(Enumerable.Repeat(1f, 8).ToArray(), [0, 1], scores);
        Assert.Equal(0f, scores[0]);
        Assert.Equal(1.0, scores[1], 1e-6);  // the norms are rounded to float, so exactly 1 is not promised
        scorer.Score(new float[8], [0, 1], scores);
        Assert.Equal([0f, 0f], scores);
    }

    [Fact]
    public void Upsert_ReplacesVectorInPlace()
    {
        var store = new OriginalVectorStore(4, OriginalsFormat.Float16);
        var scorer = new ExactScorer(store, Metric.L2);
        store.Upsert(2, [1, 2, 3, 4]);
        store.Upsert(2, [0, 0, 0, 1]);
        var scores = new float[1];

        scorer.Score([0, 0, 0, 0], [2], scores);

        Assert.Equal(1f, scores[0]);
        Assert.Equal(1, store.LiveCount);
        Assert.Equal(3, store.SlotCount);
    }

    [Fact]
    public void CallsAfterWarmUp_AllocateNothing()
    {
        (OriginalVectorStore store, _) = Build(100, OriginalsFormat.Float16, 64, 1);
        var scorer = new ExactScorer(store, Metric.Cosine);
        float[] query = Enumerable.Repeat(0.5f, 100).ToArray();
        float[] queries = [.. query, .. query];
        int[] slots = Enumerable.Range(0, 64).ToArray();
        int[] offsets = [0, 32, 64];
        var scores = new float[64];
        var best = new ScoredSlot[20];
        var counts = new int[2];
        void RunAll()
        {
            scorer.Score(query, slots, scores);
            scorer.Rerank(query, slots, best.AsSpan(0, 10));
            scorer.SearchAll(query, best.AsSpan(0, 10));
            scorer.ScoreBatch(queries, offsets, slots, scores);
            scorer.RerankBatch(queries, offsets, slots, 10, best, counts);
            scorer.SearchAllBatch(queries, 10, best, counts);
        }
        for (int warmUp = 0; warmUp < 50; warmUp++)
        {
            RunAll();
        }

        // The runtime's tiered JIT occasionally allocates on this thread while it swaps in optimized code; a real
        // per-call allocation shows in every attempt, so the smallest of five attempts is the honest figure.
        long allocated = long.MaxValue;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            RunAll();
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void DefaultLevel_IsTheBestAvailable() =>
        Assert.Equal(SimdCapabilities.Best, new ExactScorer(new OriginalVectorStore(4, OriginalsFormat.Float32), Metric.L2).Level);
}
