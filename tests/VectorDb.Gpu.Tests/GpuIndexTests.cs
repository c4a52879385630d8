using VectorDb.Datasets;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Gpu.Tests;

/// <summary>
/// End to end through <see cref="VectorIndex"/>: an index whose exact scorer is a <see cref="GpuExactScorer"/> (on
/// ILGPU's CPU accelerator) against the same index with the CPU scorer, on the real GloVe slice shipped in the
/// repository, with upserts and deletes between searches. Both indexes encode identically (same seed), so the code
/// scan hands both scorers the same candidates; only the exact scores may differ, by float32 rounding.
/// <para>Tolerance per score: each side is within γ_(d+4)·Σ|q_j·x_j| of the exact inner product (Higham §3.1,
/// u = 2^-24), so the two agree within twice that (the bound is rigorous: a failure is a bug, not bad luck). Ids
/// must be equal rank by rank, except where two hits' scores are within that tolerance (a near-tie may order
/// differently); on this data no such tie occurs at these queries, so in practice the lists are identical.</para>
/// <para>Kept to a few queries: the emulator runs kernels at ~0.1 GB/s.</para>
/// </summary>
public class GpuIndexTests
{
    private const int K = 10;
    private const int Queries = 3;

    private static readonly Lazy<Dataset> s_glove = new(() => Dataset.Load(
        Dataset.Locate("glove-100-angular-20k") ?? throw new DirectoryNotFoundException("datasets/glove-100-angular-20k not found above the test folder."),
        Queries));

    [Fact]
    public void GpuReranking_ReturnsTheCpuIndexResults_ThroughUpsertsAndDeletes()
    {
        Dataset glove = s_glove.Value;
        int d = glove.Dimension;
        var options = new VectorIndexOptions(new QuantizerOptions(d, 4, 42), Metric.InnerProduct, OriginalsFormat.Float32);
        using var cpu = new VectorIndex(options);
        using var gpu = new VectorIndex(options, level: null, (store, metric) => Emulator.Create(store, metric));
        var vectors = new Dictionary<ulong, float[]>();
        for (int i = 0; i < glove.Base.Count; i++)
        {
            Upsert((ulong)i, glove.Base.Row(i).ToArray());
        }
        GpuExactScorer device = Assert.IsType<GpuExactScorer>(gpu.ExactScorer);

        // Few kernel launches: the emulator takes about a second per launch on a loaded 2-core box.
        var fixedRerank = new SearchOptions(K, Reranking.Fixed, Oversampling: 4);
        var autoRerank = new SearchOptions(K, Reranking.Auto);
        SearchHit[][] before = SearchBoth(fixedRerank, Queries);
        Assert.True(device.Memory.IsResident, device.Memory.FallbackReason);

        // Delete query 0's best hit; replace query 1's best hit by a new vector far from it; add a new id equal to
        // query 2 scaled up (it must become query 2's best). Rows: ids 0..19,999 are rows 0..19,999, so the deleted
        // and the replaced ids' old rows have the same numbers as the ids.
        ulong deleted = before[0][0].Id;
        ulong replaced = before[1][0].Id;
        const ulong Added = 1_000_000;
        Assert.True(cpu.Delete(deleted) & gpu.Delete(deleted));
        vectors.Remove(deleted);
        Upsert(replaced, glove.Base.Row(7).ToArray().Select(v => -v).ToArray());
        Upsert(Added, glove.Queries.Row(2).ToArray().Select(v => 2 * v).ToArray());

        SearchHit[][] after = SearchBoth(fixedRerank, Queries);
        SearchBoth(autoRerank, 1);
        Assert.DoesNotContain(after[0], hit => hit.Id == deleted);
        Assert.DoesNotContain(after[1], hit => hit.Id == replaced);
        Assert.Equal(Added, after[2][0].Id);

        // The device copy itself: the deleted and the replaced rows score NaN (never a stale value). Brute force over
        // all 20k rows is left to GpuExactScorerTests (small stores): on the emulator it would take minutes.
        var scores = new float[2];
        device.Score(glove.Queries.Row(0), [(int)deleted, (int)replaced], scores);
        Assert.True(float.IsNaN(scores[0]) && float.IsNaN(scores[1]), $"deleted/replaced rows scored {scores[0]}, {scores[1]} on the device");

        void Upsert(ulong id, float[] vector)
        {
            cpu.Upsert(id, vector);
            gpu.Upsert(id, vector);
            vectors[id] = vector;
        }

        SearchHit[][] SearchBoth(SearchOptions search, int queries)
        {
            var results = new SearchHit[queries][];
            for (int q = 0; q < queries; q++)
            {
                float[] query = glove.Queries.Row(q).ToArray();
                SearchResult onGpu = gpu.Search(query, search);
                SearchResult onCpu = cpu.Search(query, search);
                Assert.Equal(onCpu.Hits.Length, onGpu.Hits.Length);
                Assert.Equal(onCpu.Reranked, onGpu.Reranked);
                AssertSameRanking(onGpu.Hits.Select(h => (h.Id, h.Score)).ToArray(), onCpu.Hits.Select(h => (h.Id, h.Score)).ToArray(),
                    query, id => vectors[id]);
                results[q] = onGpu.Hits;
            }
            return results;
        }
    }

    /// <summary>Each rank's GPU score within the tolerance of the CPU one, and equal ids rank by rank except for a
    /// near-tie (neighbours swapped, or another candidate in last place: the scores agree within the tolerance).</summary>
    private static void AssertSameRanking((ulong Id, float Score)[] gpu, (ulong Id, float Score)[] cpu, float[] query, Func<ulong, float[]> vector)
    {
        Assert.Equal(cpu.Length, gpu.Length);
        for (int i = 0; i < cpu.Length; i++)
        {
            double tolerance = ScoreTolerance.Between(query, vector(gpu[i].Id), Metric.InnerProduct)
                + ScoreTolerance.Between(query, vector(cpu[i].Id), Metric.InnerProduct);
            Assert.True(Math.Abs(gpu[i].Score - cpu[i].Score) <= tolerance, $"rank {i}: GPU {gpu[i]} vs CPU {cpu[i]} (tolerance {tolerance:E2})");
            if (gpu[i].Id != cpu[i].Id)
            {
                // Only a near-tie may differ: two neighbours swapped, or the last place taken by another candidate.
                ulong id = gpu[i].Id;
                int cpuRank = Array.FindIndex(cpu, hit => hit.Id == id);
                Assert.True(cpuRank == i - 1 || cpuRank == i + 1 || (cpuRank < 0 && i == cpu.Length - 1),
                    $"rank {i}: GPU id {id}, CPU id {cpu[i].Id} (GPU's id is at CPU rank {cpuRank}: not a near-tie)");
            }
        }
    }
}
