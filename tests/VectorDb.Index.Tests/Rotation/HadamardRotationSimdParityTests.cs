using VectorDb.Index.Common;
using VectorDb.Index.Rotation;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Rotation;

/// <summary>
/// Every SIMD level must give the scalar kernel's exact bits (no FMA, same butterfly order). Dimensions reach each
/// code path: d &lt; Lanes (scalar fallback), one/two/four/eight vectors per row (single-pass), radix-8/4/2 passes
/// (1024, 3072 = 12·256, 1536 = 12·128), Kronecker rows shorter than a vector (12, 24, 48 at 512 bits) and
/// unaligned tail windows (100, 129, 257, 784, 1000). Each vector level is its own case, compared with the scalar
/// kernel; a level this process cannot run (the CI's narrowed runs) is reported as skipped, never compared with itself.
/// </summary>
public class HadamardRotationSimdParityTests
{
    public static TheoryData<SimdLevel, int> VectorLevelsDimensions()
    {
        var data = new TheoryData<SimdLevel, int>();
        foreach (SimdLevel level in new[] { SimdLevel.Vector128, SimdLevel.Vector256, SimdLevel.Vector512 })
        {
            foreach (int d in RotationTestData.Dimensions.Concat([2048, 4096, 8192, 6144]))
            {
                data.Add(level, d);
            }
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(VectorLevelsDimensions))]
    public void VectorLevel_MatchesScalarBitForBit(SimdLevel level, int dimension)
    {
        LevelSkip.UnlessAvailable(level);
        foreach (ulong seed in RotationTestData.Seeds)
        {
            var scalar = new HadamardRotation(dimension, seed, level: SimdLevel.Scalar);
            float[] x = RotationTestData.Gaussian(dimension, seed ^ 0x5555);
            float[] expectedForward = new float[dimension];
            float[] expectedInverse = new float[dimension];
            float[] expectedRound = new float[dimension];
            scalar.Forward(x, expectedForward);
            scalar.Inverse(x, expectedInverse);
            scalar.ForwardRound(x, expectedRound, 1);
            var rotation = new HadamardRotation(dimension, seed, level: level);
            Assert.Equal(level, rotation.Level);
            float[] actual = new float[dimension];
            rotation.Forward(x, actual);
            AssertBitIdentical(expectedForward, actual, $"forward d={dimension} seed={seed} {level}");
            rotation.Inverse(x, actual);
            AssertBitIdentical(expectedInverse, actual, $"inverse d={dimension} seed={seed} {level}");
            rotation.ForwardRound(x, actual, 1);
            AssertBitIdentical(expectedRound, actual, $"round 1 d={dimension} seed={seed} {level}");
        }
    }

    [Fact]
    public void DefaultLevel_IsBest() =>
        Assert.Equal(SimdCapabilities.Best, new HadamardRotation(1024, 1).Level);

    private static void AssertBitIdentical(float[] expected, float[] actual, string context)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            int e = BitConverter.SingleToInt32Bits(expected[i]);
            int a = BitConverter.SingleToInt32Bits(actual[i]);
            if (e != a)
            {
                Assert.Fail($"{context}: coordinate {i} is {actual[i]:R} (0x{a:X8}), scalar gives {expected[i]:R} (0x{e:X8}).");
            }
        }
    }
}
