namespace VectorDb.Datasets;

/// <summary>
/// Exact k-nearest-neighbour ground truth by brute force in float64 on the stored float32 values, ties broken by the
/// smaller id (the convention of ../shared/datasets). This is the oracle that recall is measured against.
/// </summary>
public static class GroundTruth
{
    /// <summary>Top-<paramref name="k"/> base ids for every query, best first.</summary>
    public static int[][] Compute(VectorSet data, VectorSet queries, int k, Metric metric)
    {
        if (data.Dimension != queries.Dimension)
        {
            throw new ArgumentException($"base has dimension {data.Dimension}, queries {queries.Dimension}.");
        }
        k = Math.Min(k, data.Count);
        double[] baseNorms = new double[data.Count];
        for (int i = 0; i < data.Count; i++)
        {
            baseNorms[i] = Math.Sqrt(Dot(data.Row(i), data.Row(i)));
        }
        var result = new int[queries.Count][];
        Parallel.For(0, queries.Count, q =>
        {
            var query = queries.Row(q);
            double queryNorm = Math.Sqrt(Dot(query, query));
            var scored = new (double Score, int Id)[data.Count];
            for (int i = 0; i < data.Count; i++)
            {
                var row = data.Row(i);
                double score = metric switch
                {
                    Metric.InnerProduct => Dot(query, row),
                    Metric.Cosine => Dot(query, row) / Math.Max(queryNorm * baseNorms[i], double.Epsilon),
                    _ => -SquaredDistance(query, row),
                };
                scored[i] = (score, i);
            }
            // Best first: larger score, then smaller id.
            Array.Sort(scored, (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
            result[q] = scored.Take(k).Select(s => s.Id).ToArray();
        });
        return result;
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            sum += (double)a[j] * b[j];
        }
        return sum;
    }

    private static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            double diff = (double)a[j] - b[j];
            sum += diff * diff;
        }
        return sum;
    }
}
