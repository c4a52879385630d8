using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Index.Tests.Search;

/// <summary>
/// IVF training in steps (<see cref="VectorIndex.BeginIvfTraining"/> → Run → Complete) with writes between the steps,
/// as the engine's background training sees them: afterwards every live vector is in exactly one list, deleted and
/// overwritten ones in none, and probing every list equals the brute-force oracle under exact re-ranking.
/// </summary>
public partial class VectorIndexTests
{
    [Theory]
    [InlineData(Metric.InnerProduct)]
    [InlineData(Metric.L2)]
    public void IvfTraining_WithWritesBetweenItsSteps_PlacesEveryLiveVectorOnce(Metric metric)
    {
        var data = RandomVectors(1500, 24, 71, clustered: true);
        var current = new Dictionary<ulong, float[]>();
        using var index = new VectorIndex(new VectorIndexOptions(new VectorDb.Index.Quantization.QuantizerOptions(24, 4, 7), metric,
            OriginalsFormat.Float32, IndexLayout.Ivf, 16));
        void Put(ulong id, float[] vector)
        {
            index.Upsert(id, vector);
            current[id] = vector;
        }
        void Remove(ulong id)
        {
            Assert.True(index.Delete(id));
            current.Remove(id);
        }
        for (int i = 0; i < 1000; i++)
        {
            Put((ulong)i, data[i]);
        }

        IvfTraining training = index.BeginIvfTraining();
        for (int i = 1000; i < 1200; i++)
        {
            Put((ulong)i, data[i]); // after the snapshot: placed at completion
        }
        Remove(3);
        Put(10, data[1400]); // overwrite: the old row is deleted, the new one comes after the snapshot
        index.RunIvfTraining(training);
        for (int i = 1200; i < 1300; i++)
        {
            Put((ulong)i, data[i]);
        }
        Remove(20); // deleted after its list was computed
        Remove(1100);
        Assert.Equal(1, index.ListCount); // still flat until the switch
        index.CompleteIvfTraining(training);

        Assert.Equal(16, index.ListCount);
        Assert.Equal(current.Count, index.Count);
        Assert.Equal(current.Count, index.Partitions.Sum(p => p.LiveCount));
        float[][] rows = [.. current.OrderBy(p => p.Key).Select(p => p.Value)];
        ulong[] ids = [.. current.Keys.Order()];
        foreach (var query in RandomVectors(8, 24, 72, clustered: true))
        {
            var hits = index.Search(query, new SearchOptions(10, Reranking.Fixed, Oversampling: 2000, NProbe: 16)).Hits;
            Assert.Equal(BruteForce(rows, query, 10, metric).Select(i => ids[i]), hits.Select(h => h.Id));
        }
    }

    [Fact]
    public void IvfTraining_CompleteBeforeRun_IsRefused()
    {
        using var index = Build(RandomVectors(100, 8, 73), Metric.L2, kind: IndexLayout.Ivf, nlist: 4);
        IvfTraining training = index.BeginIvfTraining();
        Assert.Throws<InvalidOperationException>(() => index.CompleteIvfTraining(training));
        Assert.Equal(1, index.ListCount);
    }
}
