namespace VectorDb.Index.Tests.Rotation.Study;

/// <summary>
/// How Gaussian the rotated coordinates of a unit vector are, in the terms the quantizer cares about:
/// z = √d·y should be N(0, 1). vNMSE_b is the TurboQuant_mse error (S = 1) with the N(0,1) Lloyd-Max codebook, whose
/// Haar/Gaussian limit is 0.117482 (b = 2) and 0.00950101 (b = 4) (docs/algorithms.md §2); m4 = d·Σy⁴ is 3 for
/// Gaussian coordinates (exactly 3d/(d+2) for a Haar rotation) and 1 for the one-round one-hot failure.
/// </summary>
internal static class MixingQuality
{
    public const double GaussianMse2 = 0.117482;
    public const double GaussianMse4 = 0.00950101;

    private static readonly double[] Thresholds2 = [0, 0.981599];
    private static readonly double[] Centroids2 = [0.452780, 1.510418];
    private static readonly double[] Thresholds4 = [0, 0.258222, 0.522404, 0.799550, 1.099286, 1.437139, 1.843532, 2.400803];
    private static readonly double[] Centroids4 = [0.128395, 0.388048, 0.656759, 0.942340, 1.256231, 1.618046, 2.069017, 2.732590];

    /// <summary>Returns (vNMSE at b = 2, vNMSE at b = 4, m4) of one rotated unit vector y.</summary>
    public static (double Mse2, double Mse4, double M4) Measure(ReadOnlySpan<double> y)
    {
        double sqrtD = Math.Sqrt(y.Length);
        double mse2 = 0, mse4 = 0, m4 = 0;
        foreach (double v in y)
        {
            double z = v * sqrtD;
            mse2 += Square(z - Quantize(z, Thresholds2, Centroids2));
            mse4 += Square(z - Quantize(z, Thresholds4, Centroids4));
            m4 += z * z * z * z;
        }
        return (mse2 / y.Length, mse4 / y.Length, m4 / y.Length);
    }

    private static double Quantize(double z, double[] thresholds, double[] centroids)
    {
        double magnitude = Math.Abs(z);
        int index = 0;
        while (index + 1 < thresholds.Length && magnitude >= thresholds[index + 1])
        {
            index++;
        }
        return Math.CopySign(centroids[index], z);
    }

    private static double Square(double v) => v * v;
}
