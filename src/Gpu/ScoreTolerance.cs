using VectorDb.Index.Rerank;

namespace VectorDb.Gpu;

/// <summary>
/// How far two float32 evaluations of one exact score (the GPU's and the CPU's, in any summation order) may lie
/// apart: each is within γ_(d+4)·Σ|term| of the exact value (Higham §3.1, u = 2^-24), so they are within twice that;
/// cosine divides by the norms and adds a few roundings. Computed in float64. Used by the CI tests and by GpuBench's
/// on-device checks, so that both judge the device by the same bound.
/// </summary>
public static class ScoreTolerance
{
    /// <summary>The bound for <paramref name="query"/> against the stored <paramref name="row"/>.</summary>
    public static double Between(ReadOnlySpan<float> query, ReadOnlySpan<float> row, Metric metric)
    {
        double absolute = 0, queryNorm = 0, rowNorm = 0;
        for (int j = 0; j < row.Length; j++)
        {
            double q = query[j], x = row[j];
            absolute += metric == Metric.L2 ? (q - x) * (q - x) : Math.Abs(q * x);
            queryNorm += q * q;
            rowNorm += x * x;
        }
        double gamma = 2.0 * (row.Length + 4) / (1 << 24);
        if (metric != Metric.Cosine)
        {
            return gamma * absolute + 1e-30;
        }
        double norms = Math.Sqrt(queryNorm * rowNorm);
        return norms == 0 ? 1e-30 : gamma * absolute / norms + 12.0 / (1 << 24);
    }

    /// <summary>The bound for <paramref name="query"/> against slot <paramref name="slot"/> of <paramref name="store"/>
    /// (its stored, possibly float16-rounded, values).</summary>
    public static double Between(OriginalVectorStore store, ReadOnlySpan<float> query, int slot, Metric metric)
    {
        ArgumentNullException.ThrowIfNull(store);
        var row = new float[store.Dimension];
        store.CopyTo(slot, row);
        return Between(query, row, metric);
    }
}
