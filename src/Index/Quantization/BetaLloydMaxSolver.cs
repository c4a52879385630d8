namespace VectorDb.Index.Quantization;

/// <summary>
/// Lloyd-Max quantizer for the exact law of one coordinate of a uniformly random unit vector in dimension d
/// (algorithms.md §2): f(x) ∝ (1 − x²)^((d−3)/2) on [−1, 1], expressed in the unit-variance frame z = √d·x.
/// <para>
/// Method: the classic Lloyd fixed-point iteration (thresholds = midpoints, centroids = cell means) on the positive
/// half, started from the Gaussian table when it fits inside the support and sped up by Anderson acceleration
/// (plain Lloyd needs ~10⁵ steps at b = 8 because its slowest mode contracts by 1 − O(4^−b)). Cell moments are integrated with 8-point
/// Gauss-Legendre panels after the substitution z = √d·sin θ, which turns the density into cos^(d−2) θ dθ: smooth
/// for every d ≥ 2 (d = 2, the arcsine law, has an integrable singularity in z but none in θ). Panels are at most
/// 0.25/√d wide in θ (a quarter standard deviation), and θ is cut where cos^(d−2) θ drops below e^−80 (beyond ~12σ),
/// so the truncation error is far below double rounding.
/// </para>
/// <para>
/// Determinism: the result depends on Math.Sin/Cos/Exp/Log, which may differ in the last bit across platforms. The
/// codebook is rounded to float before use, which hides such differences except in astronomically rare ties; this is
/// one reason "gauss" (shipped constants) is the default codebook.
/// </para>
/// </summary>
internal static class BetaLloydMaxSolver
{
    private const double TailExponentCutoff = 80.0;
    // Residual target |T(c) − c| in z units; quadrature rounding grows like √d·ε (z = √d·sin θ), hence the scaling.
    private const double ConvergenceToleranceUnit = 1e-13;
    private const int MaxIterations = 20_000;

    // 8-point Gauss-Legendre nodes and weights on [−1, 1] (exact for polynomials up to degree 15).
    private static ReadOnlySpan<double> Nodes =>
    [
        -0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498,
        0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363,
    ];

    private static ReadOnlySpan<double> Weights =>
    [
        0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620,
        0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763,
    ];

    /// <summary>Solution on the positive half: ascending centroids (unit-variance frame) and the full-law MSE.</summary>
    public readonly record struct Solution(double[] PositiveCentroids, double MeanSquaredError, int Iterations);

    /// <summary>Solves the b-bit quantizer for dimension d ≥ 2.</summary>
    public static Solution Solve(int dimension, int bits)
    {
        if (dimension < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension,
                "the exact coordinate law needs d ≥ 2 (at d = 1 a rotated coordinate is ±1, a point mass); use the \"gauss\" codebook");
        }
        var law = new CoordinateLaw(dimension);
        int n = 1 << (bits - 1);
        double[] c = InitialCentroids(law, bits, n);
        var acceleration = new AndersonAcceleration(n, depth: 6);
        double[] mapped = new double[n];
        double[] residual = new double[n];
        double[] candidate = new double[n];
        double residualNorm = double.PositiveInfinity;
        double tolerance = ConvergenceToleranceUnit * Math.Max(10.0, Math.Sqrt(dimension));
        int iteration = 0;
        for (; iteration < MaxIterations; iteration++)
        {
            LloydStep(law, c, mapped);
            residualNorm = 0.0;
            for (int k = 0; k < n; k++)
            {
                residual[k] = mapped[k] - c[k];
                residualNorm = Math.Max(residualNorm, Math.Abs(residual[k]));
            }
            if (residualNorm <= tolerance)
            {
                break;
            }
            // Anderson's extrapolation over the last few Lloyd steps; fall back to the plain Lloyd step whenever the
            // extrapolated centroids leave the feasible set (ascending, inside (0, ZMax)).
            if (!acceleration.Extrapolate(c, residual, candidate) || !IsFeasible(candidate, law.ZMax))
            {
                acceleration.Reset();
                mapped.CopyTo(candidate, 0);
            }
            (c, candidate) = (candidate, c);
        }
        if (residualNorm > 1e-9)
        {
            throw new InvalidOperationException($"Lloyd-Max for d={dimension}, b={bits} did not converge (residual {residualNorm:g3}).");
        }
        return new Solution(c, MeanSquaredError(law, c), iteration);
    }

    /// <summary>One Lloyd step: thresholds at midpoints, then every centroid moves to its cell's mean.</summary>
    private static void LloydStep(CoordinateLaw law, double[] c, double[] next)
    {
        int n = c.Length;
        for (int k = 0; k < n; k++)
        {
            double lower = k == 0 ? 0.0 : 0.5 * (c[k - 1] + c[k]);
            double upper = k == n - 1 ? law.ZMax : 0.5 * (c[k] + c[k + 1]);
            var m = law.Moments(lower, upper);
            next[k] = m.Mass > 0 ? m.First / m.Mass : 0.5 * (lower + upper);
        }
    }

    private static bool IsFeasible(double[] c, double zMax)
    {
        if (!(c[0] > 0) || !(c[^1] < zMax))
        {
            return false;
        }
        for (int k = 1; k < c.Length; k++)
        {
            if (!(c[k] > c[k - 1]))
            {
                return false;
            }
        }
        return true;
    }

    private static double[] InitialCentroids(CoordinateLaw law, int bits, int n)
    {
        var c = new double[n];
        ReadOnlySpan<double> gaussian = GaussianCodebookTables.PositiveCentroids(bits);
        if (gaussian[n - 1] < 0.95 * law.ZMax)
        {
            gaussian.CopyTo(c);
            return c;
        }
        // Small d: the Gaussian tail centroids fall outside the support; spread evenly in θ instead.
        for (int k = 0; k < n; k++)
        {
            c[k] = law.ZMax * Math.Sin(law.ThetaMax * (k + 0.5) / n);
        }
        return c;
    }

    private static double MeanSquaredError(CoordinateLaw law, double[] c)
    {
        int n = c.Length;
        double total = 0.0, mass = 0.0;
        for (int k = 0; k < n; k++)
        {
            double lower = k == 0 ? 0.0 : 0.5 * (c[k - 1] + c[k]);
            double upper = k == n - 1 ? law.ZMax : 0.5 * (c[k] + c[k + 1]);
            var m = law.Moments(lower, upper);
            total += m.Second - 2 * c[k] * m.First + c[k] * c[k] * m.Mass;
            mass += m.Mass;
        }
        return total / mass; // the negative half mirrors the positive one
    }

    /// <summary>Unnormalized moments of one cell [a, b] (z units) of the positive half.</summary>
    private readonly record struct CellMoments(double Mass, double First, double Second);

    /// <summary>The density cos^(d−2) θ dθ with z = √d·sin θ, integrated panel by panel.</summary>
    private sealed class CoordinateLaw
    {
        private readonly double _exponent;
        private readonly double _sqrtD;
        private readonly double _panelWidth;

        public CoordinateLaw(int dimension)
        {
            _exponent = dimension - 2;
            _sqrtD = Math.Sqrt(dimension);
            _panelWidth = Math.Min(0.05, 0.25 / _sqrtD);
            ThetaMax = dimension <= 3 ? Math.PI / 2 : Math.Min(Math.PI / 2, Math.Acos(Math.Exp(-TailExponentCutoff / _exponent)));
            ZMax = _sqrtD * Math.Sin(ThetaMax);
        }

        /// <summary>Largest θ integrated (π/2, or where the density falls below e^−80 of its peak).</summary>
        public double ThetaMax { get; }

        /// <summary>√d·sin(ThetaMax): the end of the positive half in z units.</summary>
        public double ZMax { get; }

        public CellMoments Moments(double lowerZ, double upperZ)
        {
            double thetaLow = Math.Asin(Math.Clamp(lowerZ / _sqrtD, 0.0, 1.0));
            double thetaHigh = Math.Min(ThetaMax, Math.Asin(Math.Clamp(upperZ / _sqrtD, 0.0, 1.0)));
            if (thetaHigh <= thetaLow)
            {
                return default;
            }
            int panels = Math.Max(1, (int)Math.Ceiling((thetaHigh - thetaLow) / _panelWidth));
            double width = (thetaHigh - thetaLow) / panels;
            double m0 = 0, m1 = 0, m2 = 0;
            for (int p = 0; p < panels; p++)
            {
                double mid = thetaLow + (p + 0.5) * width;
                for (int i = 0; i < 8; i++)
                {
                    double theta = mid + 0.5 * width * Nodes[i];
                    double cos = Math.Cos(theta);
                    double w = Weights[i] * (_exponent == 0 ? 1.0 : Math.Exp(_exponent * Math.Log(cos)));
                    double z = _sqrtD * Math.Sin(theta);
                    m0 += w;
                    m1 += w * z;
                    m2 += w * z * z;
                }
            }
            double scale = 0.5 * width;
            return new CellMoments(m0 * scale, m1 * scale, m2 * scale);
        }
    }
}
