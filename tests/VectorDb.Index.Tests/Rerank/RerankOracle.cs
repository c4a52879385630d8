using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Tests.Rerank;

/// <summary>
/// Slow float64 reference for exact re-scoring, independent of the product code: it keeps its own copy of every
/// vector, applies float16 rounding itself, and sums in double. Tolerances come from the standard bound for a
/// float32 sum of n terms in any order, |error| ≤ γ_n·Σ|term| with γ_n ≈ n·u, u = 2^-24 (Higham, Accuracy and
/// Stability, §3.1); a fused multiply-add only removes roundings. The bound is rigorous, so a failure is a bug and
/// never bad luck.
/// </summary>
internal sealed class RerankOracle(int dimension, OriginalsFormat precision)
{
    public const double UnitRoundoff = 1.0 / (1 << 24);

    private readonly Dictionary<int, double[]> _rows = [];

    public int Dimension { get; } = dimension;

    public IReadOnlyDictionary<int, double[]> Rows => _rows;

    public void Upsert(int slot, ReadOnlySpan<float> vector)
    {
        var row = new double[vector.Length];
        for (int j = 0; j < row.Length; j++)
        {
            row[j] = precision == OriginalsFormat.Float16 ? (double)(Half)vector[j] : vector[j];
        }
        _rows[slot] = row;
    }

    public void Delete(int slot) => _rows.Remove(slot);

    public bool IsLive(int slot) => _rows.ContainsKey(slot);

    /// <summary>The exact score and the largest error a correct float32 implementation may make.</summary>
    public (double Score, double Tolerance) Score(ReadOnlySpan<float> query, int slot, Metric metric)
    {
        double[] row = _rows[slot];
        double dot = 0, absDot = 0, squared = 0, queryNorm2 = 0, rowNorm2 = 0;
        for (int j = 0; j < row.Length; j++)
        {
            double q = query[j];
            dot += q * row[j];
            absDot += Math.Abs(q * row[j]);
            squared += (q - row[j]) * (q - row[j]);
            queryNorm2 += q * q;
            rowNorm2 += row[j] * row[j];
        }
        double gamma = (row.Length + 4) * UnitRoundoff;
        switch (metric)
        {
            case Metric.InnerProduct:
                return (dot, gamma * absDot + 1e-30);
            case Metric.L2:
                // Each difference is rounded once before squaring: γ_(n+3) covers it.
                return (squared, gamma * squared + 1e-30);
            default:
                double norms = Math.Sqrt(queryNorm2) * Math.Sqrt(rowNorm2);
                if (norms == 0)
                {
                    return (0, 0);
                }
                double cosine = dot / norms;
                // Dot error scaled by the norms, plus ~6 roundings in the norms, their product and the division.
                return (cosine, gamma * absDot / norms + 6 * UnitRoundoff * Math.Abs(cosine) + 1e-30);
        }
    }

    public static float[] Gaussian(ref SplitMix64 random, int length, double scale = 1.0)
    {
        var vector = new float[length];
        for (int j = 0; j < length; j++)
        {
            vector[j] = (float)(random.NextGaussian() * scale);
        }
        return vector;
    }
}
