namespace VectorDb.Index.Tests.Rotation.Reference;

/// <summary>Normal CDF and the one-sample Kolmogorov-Smirnov statistic, for the rotation's distribution tests.</summary>
internal static class Statistics
{
    /// <summary>Φ(z) = erfc(-z/√2)/2.</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2.0));

    /// <summary>Complementary error function, Chebyshev fit (Numerical Recipes, "erfcc"): fractional error below
    /// 1.2e-7 everywhere, far under the KS resolution (≥ 1e-3) it serves.</summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
            + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2.0 - r;
    }

    /// <summary>sup_z |F_n(z) - Φ(z)| for the empirical CDF F_n of <paramref name="samples"/>.</summary>
    public static double KolmogorovSmirnovVersusStandardNormal(IEnumerable<double> samples)
    {
        double[] sorted = samples.Order().ToArray();
        int n = sorted.Length;
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            double cdf = NormalCdf(sorted[i]);
            worst = Math.Max(worst, Math.Max((i + 1.0) / n - cdf, cdf - (double)i / n));
        }
        return worst;
    }

    /// <summary>Asymptotic KS critical value: P(√n·D_n &gt; c) ≈ 2·exp(-2c²), so c = √(-ln(α/2)/2).</summary>
    public static double KolmogorovSmirnovCritical(int n, double alpha) => Math.Sqrt(-Math.Log(alpha / 2) / 2) / Math.Sqrt(n);
}
