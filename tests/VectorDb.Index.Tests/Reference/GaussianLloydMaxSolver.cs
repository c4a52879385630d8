namespace VectorDb.Index.Tests.Reference;

/// <summary>
/// Test-side oracle: Lloyd-Max quantizer for N(0,1) with 2^b levels, solved by damped Newton on the centroid
/// conditions with closed-form normal moments. This is deliberately a different numeric method from the product's
/// exact-d solver (fixed-point Lloyd iteration with Gauss-Legendre quadrature), so agreement is evidence, not echo.
/// <para>
/// Unknowns: the n = 2^(b−1) positive centroids c₁ &lt; … &lt; cₙ (the law is symmetric, so the middle threshold is 0).
/// Thresholds tₖ = (cₖ + cₖ₊₁)/2, t₀ = 0, tₙ = ∞. Equations Gₖ = cₖ·m0ₖ − m1ₖ = 0 with
/// m0ₖ = Q(tₖ₋₁) − Q(tₖ) (cell probability) and m1ₖ = φ(tₖ₋₁) − φ(tₖ) (cell first moment); the Jacobian is
/// tridiagonal because Gₖ touches only cₖ₋₁, cₖ, cₖ₊₁.
/// </para>
/// </summary>
internal static class GaussianLloydMaxSolver
{
    /// <summary>The positive centroids (ascending) of the b-bit N(0,1) Lloyd-Max quantizer.</summary>
    public static double[] PositiveCentroids(int bits)
    {
        int n = 1 << (bits - 1);
        var c = new double[n];
        for (int k = 1; k <= n; k++)
        {
            c[k - 1] = InverseUpperTail(0.5 * (1.0 - (k - 0.5) / n));
        }
        if (n == 1)
        {
            c[0] = Math.Sqrt(2.0 / Math.PI); // E|Z|: the single cell is the whole half-line.
            return c;
        }
        var g = new double[n];
        var lower = new double[n];
        var diagonal = new double[n];
        var upper = new double[n];
        double residual = Evaluate(c, g, lower, diagonal, upper);
        for (int iteration = 0; iteration < 200 && residual > 1e-15; iteration++)
        {
            double[] step = SolveTridiagonal(lower, diagonal, upper, g);
            double damping = 1.0;
            while (true)
            {
                var trial = new double[n];
                for (int k = 0; k < n; k++)
                {
                    trial[k] = c[k] - damping * step[k];
                }
                if (IsStrictlyIncreasingPositive(trial))
                {
                    var trialG = new double[n];
                    double trialResidual = Evaluate(trial, trialG, lower, diagonal, upper);
                    if (trialResidual < residual || damping < 1e-6)
                    {
                        c = trial;
                        residual = Evaluate(c, g, lower, diagonal, upper);
                        break;
                    }
                }
                damping *= 0.5;
                if (damping < 1e-12)
                {
                    throw new InvalidOperationException($"Newton stalled at b={bits}, residual {residual:g3}");
                }
            }
        }
        if (residual > 1e-13)
        {
            throw new InvalidOperationException($"Newton did not converge at b={bits}: residual {residual:g3}");
        }
        return c;
    }

    /// <summary>Per-coordinate MSE E[(Z − Q(Z))²] of the symmetric codebook with these positive centroids.</summary>
    public static double MeanSquaredError(double[] positiveCentroids)
    {
        // E[(Z−c)²; cell] = m2 − 2c·m1 + c²·m0, with m2 over [a,b] = m0 + aφ(a) − bφ(b) (integration by parts).
        int n = positiveCentroids.Length;
        double total = 0.0;
        for (int k = 0; k < n; k++)
        {
            double a = k == 0 ? 0.0 : 0.5 * (positiveCentroids[k - 1] + positiveCentroids[k]);
            double b = k == n - 1 ? double.PositiveInfinity : 0.5 * (positiveCentroids[k] + positiveCentroids[k + 1]);
            double m0 = NormalDistribution.UpperTail(a) - NormalDistribution.UpperTail(b);
            double m1 = NormalDistribution.Density(a) - NormalDistribution.Density(b);
            double bTerm = double.IsPositiveInfinity(b) ? 0.0 : b * NormalDistribution.Density(b);
            double m2 = m0 + a * NormalDistribution.Density(a) - bTerm;
            double ck = positiveCentroids[k];
            total += m2 - 2 * ck * m1 + ck * ck * m0;
        }
        return 2.0 * total; // both halves
    }

    private static double Evaluate(double[] c, double[] g, double[] lower, double[] diagonal, double[] upper)
    {
        int n = c.Length;
        double maxAbs = 0.0;
        for (int k = 0; k < n; k++)
        {
            double a = k == 0 ? 0.0 : 0.5 * (c[k - 1] + c[k]);
            double b = k == n - 1 ? double.PositiveInfinity : 0.5 * (c[k] + c[k + 1]);
            double m0 = NormalDistribution.UpperTail(a) - NormalDistribution.UpperTail(b);
            double m1 = NormalDistribution.Density(a) - NormalDistribution.Density(b);
            g[k] = c[k] * m0 - m1;
            maxAbs = Math.Max(maxAbs, Math.Abs(g[k]));
            // ∂G/∂b = (c − b)φ(b) for a finite upper threshold; ∂G/∂a = −(c − a)φ(a) for a moving lower one.
            double dUpper = k == n - 1 ? 0.0 : (c[k] - b) * NormalDistribution.Density(b);
            double dLower = k == 0 ? 0.0 : -(c[k] - a) * NormalDistribution.Density(a);
            diagonal[k] = m0 + 0.5 * dUpper + 0.5 * dLower;
            upper[k] = 0.5 * dUpper;
            lower[k] = 0.5 * dLower;
        }
        return maxAbs;
    }

    private static double[] SolveTridiagonal(double[] lower, double[] diagonal, double[] upper, double[] rhs)
    {
        int n = rhs.Length;
        var cPrime = new double[n];
        var dPrime = new double[n];
        cPrime[0] = upper[0] / diagonal[0];
        dPrime[0] = rhs[0] / diagonal[0];
        for (int i = 1; i < n; i++)
        {
            double m = diagonal[i] - lower[i] * cPrime[i - 1];
            cPrime[i] = upper[i] / m;
            dPrime[i] = (rhs[i] - lower[i] * dPrime[i - 1]) / m;
        }
        var x = new double[n];
        x[n - 1] = dPrime[n - 1];
        for (int i = n - 2; i >= 0; i--)
        {
            x[i] = dPrime[i] - cPrime[i] * x[i + 1];
        }
        return x;
    }

    private static bool IsStrictlyIncreasingPositive(double[] c)
    {
        if (c[0] <= 0)
        {
            return false;
        }
        for (int k = 1; k < c.Length; k++)
        {
            if (c[k] <= c[k - 1])
            {
                return false;
            }
        }
        return true;
    }

    private static double InverseUpperTail(double p)
    {
        double lo = 0.0, hi = 40.0;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (NormalDistribution.UpperTail(mid) > p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }
}
