using System.Collections.Concurrent;

namespace VectorDb.Index.Quantization;

/// <summary>
/// A scalar codebook: 2^b centroids in the unit-variance frame (a rotated coordinate y_j of a vector x is quantized as
/// z_j = √d·y_j/‖x‖), ascending, so code 0 is the smallest centroid. The code of z is the number of thresholds
/// strictly below z: code(z) = #{k : Thresholds[k] &lt; z}, with Thresholds[k] = (c_k + c_(k+1))/2 rounded to float.
/// <para>
/// Two families, named by a stable <see cref="Id"/> that the storage layer persists:
/// "gauss" = Lloyd-Max for N(0,1), shipped constants, independent of d (the default; see docs/codec.md for the
/// measurement behind that choice); "beta" = Lloyd-Max for the exact law of a coordinate of a random unit vector in
/// dimension d, solved at first use and cached per (d, b).
/// </para>
/// WARNING: baked into every stored record. A record's codes mean nothing without the codebook id, d and b.
/// </summary>
public sealed class Codebook
{
    /// <summary>Id of the Gaussian-limit codebook family (shipped constants).</summary>
    public const string GaussianId = "gauss";

    /// <summary>Id of the exact finite-d codebook family (solved at construction).</summary>
    public const string BetaId = "beta";

    /// <summary>Smallest and largest supported bits per coordinate.</summary>
    public const int MinBits = 1, MaxBits = 8;

    private static readonly Codebook?[] s_gaussian = new Codebook?[MaxBits + 1];
    private static readonly ConcurrentDictionary<(int Dimension, int Bits), Codebook> s_beta = new();

    private readonly double[] _centroidsExact;
    private readonly float[] _centroids;
    private readonly float[] _thresholds;
    private readonly byte[] _bucketStarts;
    private readonly float[] _thresholdsWithSentinel;

    private Codebook(string id, int dimension, int bits, ReadOnlySpan<double> positiveCentroids, double meanSquaredError)
    {
        Id = id;
        Dimension = dimension;
        Bits = bits;
        MeanSquaredError = meanSquaredError;
        int levels = 1 << bits, half = levels / 2;
        _centroidsExact = new double[levels];
        for (int k = 0; k < half; k++)
        {
            _centroidsExact[half + k] = positiveCentroids[k];
            _centroidsExact[half - 1 - k] = -positiveCentroids[k];
        }
        _centroids = Array.ConvertAll(_centroidsExact, c => (float)c);
        _thresholds = new float[levels - 1];
        for (int k = 0; k < levels - 1; k++)
        {
            _thresholds[k] = (float)(0.5 * (_centroidsExact[k] + _centroidsExact[k + 1]));
        }
        _thresholdsWithSentinel = [.. _thresholds, float.PositiveInfinity];
        // Uniform grid over [−edge, edge) with 8 buckets per level: bucket i starts at the number of thresholds below
        // its left edge. Lloyd-Max cells are wider than a bucket, so a lookup is at most a step or two from exact.
        float edge = levels == 2 ? 1f : 1.001f * _thresholds[^1];
        int buckets = 8 * levels;
        BucketOrigin = -edge;
        BucketScale = buckets / (2 * edge);
        _bucketStarts = new byte[buckets];
        for (int i = 0, code = 0; i < buckets; i++)
        {
            double left = -edge + i * (2.0 * edge / buckets);
            while (code < _thresholds.Length && _thresholds[code] < left)
            {
                code++;
            }
            _bucketStarts[i] = (byte)code;
        }
    }

    /// <summary>"gauss" or "beta".</summary>
    public string Id { get; }

    /// <summary>The dimension the codebook was designed for; 0 for "gauss", which does not depend on it.</summary>
    public int Dimension { get; }

    /// <summary>Bits per coordinate b; the codebook has 2^b centroids.</summary>
    public int Bits { get; }

    /// <summary>Number of centroids, 2^b.</summary>
    public int Levels => _centroids.Length;

    /// <summary>Centroids, ascending, unit-variance frame, as used by every encoder and estimator.</summary>
    public ReadOnlySpan<float> Centroids => _centroids;

    /// <summary>The 2^b − 1 decision thresholds, ascending: code(z) = #{k : Thresholds[k] &lt; z}.</summary>
    public ReadOnlySpan<float> Thresholds => _thresholds;

    /// <summary>Code guess per uniform bucket of z (see <see cref="CodeAssignment"/>); only a starting point.</summary>
    internal ReadOnlySpan<byte> BucketStarts => _bucketStarts;

    /// <summary><see cref="Thresholds"/> followed by +∞, so a search may look one past the last threshold.</summary>
    internal ReadOnlySpan<float> ThresholdsWithSentinel => _thresholdsWithSentinel;

    /// <summary>Left edge of bucket 0 in z units.</summary>
    internal float BucketOrigin { get; }

    /// <summary>Buckets per unit of z.</summary>
    internal float BucketScale { get; }

    /// <summary>Centroids in double precision (before the rounding to float), for analysis and tests.</summary>
    public ReadOnlySpan<double> CentroidsExact => _centroidsExact;

    /// <summary>
    /// Per-coordinate MSE D_b = E[(z − c[code(z)])²] under the law the codebook was designed for (N(0,1) for "gauss",
    /// the exact d-dimensional coordinate law for "beta"). For unit vectors under a Haar rotation it equals the
    /// expected ‖x − x̂‖² of TurboQuant-mse.
    /// </summary>
    public double MeanSquaredError { get; }

    /// <summary>The shipped N(0,1) Lloyd-Max codebook with <paramref name="bits"/> bits.</summary>
    public static Codebook Gaussian(int bits)
    {
        ValidateBits(bits);
        return s_gaussian[bits] ??= new Codebook(GaussianId, 0, bits,
            GaussianCodebookTables.PositiveCentroids(bits), GaussianCodebookTables.MeanSquaredErrors[bits - 1]);
    }

    /// <summary>
    /// The exact-law codebook for dimension d ≥ 2, solved on first use (milliseconds for b ≤ 4, up to about a second
    /// for b = 8 at small d) and cached for the life of the process.
    /// </summary>
    public static Codebook Beta(int dimension, int bits)
    {
        ValidateBits(bits);
        if (dimension < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension,
                $"the \"{BetaId}\" codebook needs d ≥ 2 (at d = 1 a rotated coordinate is ±1); use \"{GaussianId}\".");
        }
        return s_beta.GetOrAdd((dimension, bits), key =>
        {
            var solution = BetaLloydMaxSolver.Solve(key.Dimension, key.Bits);
            return new Codebook(BetaId, key.Dimension, key.Bits, solution.PositiveCentroids, solution.MeanSquaredError);
        });
    }

    /// <summary>The codebook named by a persisted id.</summary>
    public static Codebook Create(string id, int dimension, int bits) => id switch
    {
        GaussianId => Gaussian(bits),
        BetaId => Beta(dimension, bits),
        _ => throw new ArgumentException($"unknown codebook id '{id}'; expected \"{GaussianId}\" or \"{BetaId}\".", nameof(id)),
    };

    private static void ValidateBits(int bits)
    {
        if (bits is < MinBits or > MaxBits)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"bits per coordinate must be {MinBits} to {MaxBits}.");
        }
    }
}
