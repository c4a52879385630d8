
namespace VectorDb.Tests.Support;

/// <summary>Seeded test data and a brute-force k-NN oracle (independent of the engine: plain double arithmetic).</summary>
public static class TestVectors
{
    /// <summary>n Gaussian vectors of dimension d from TestRandom(seed) (SplitMix64), row-major.</summary>
    public static float[][] Gaussian(int n, int d, ulong seed)
    {
        var rng = new TestRandom(seed);
        var rows = new float[n][];
        for (int i = 0; i < n; i++)
        {
            rows[i] = new float[d];
            for (int j = 0; j < d; j++)
            {
                rows[i][j] = (float)rng.NextGaussian();
            }
        }
        return rows;
    }

    /// <summary>The exact score of the metric, in double.</summary>
    public static double Score(Metric metric, ReadOnlySpan<float> q, ReadOnlySpan<float> x)
    {
        double dot = 0, qq = 0, xx = 0, l2 = 0;
        for (int j = 0; j < q.Length; j++)
        {
            dot += (double)q[j] * x[j];
            qq += (double)q[j] * q[j];
            xx += (double)x[j] * x[j];
            double diff = (double)q[j] - x[j];
            l2 += diff * diff;
        }
        return metric switch
        {
            Metric.InnerProduct => dot,
            Metric.Cosine => qq == 0 || xx == 0 ? 0 : dot / Math.Sqrt(qq * xx),
            _ => l2,
        };
    }

    /// <summary>The k best (id, score) among <paramref name="points"/> passing <paramref name="keep"/>, best first.</summary>
    public static (ulong Id, double Score)[] BruteForce(Metric metric, float[] query, IEnumerable<(ulong Id, float[] Vector)> points,
        int k, Func<ulong, bool>? keep = null)
    {
        var scored = points.Where(p => keep?.Invoke(p.Id) ?? true).Select(p => (p.Id, Score: Score(metric, query, p.Vector)));
        var ordered = metric == Metric.L2 ? scored.OrderBy(s => s.Score) : scored.OrderByDescending(s => s.Score);
        return [.. ordered.Take(k)];
    }
}
