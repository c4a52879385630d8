using VectorDb.Index.Common;
using VectorDb.Index.Rotation;
using VectorDb.Index.Tests.Rotation.Reference;

namespace VectorDb.Index.Tests.Rotation;

/// <summary>
/// Correctness of HadamardRotation at the default (best) level: orthogonality, exact inverse, agreement with the
/// dense double-precision oracle, the construction chosen per d, and the API contract (bad input, aliasing,
/// threads, allocations). Bit-identity across SIMD levels is in <see cref="HadamardRotationSimdParityTests"/>.
/// </summary>
public class HadamardRotationTests
{
    // Float rounding: each of the ~log2(d)+4 add stages per round adds a relative error of at most 2^-24 per
    // coordinate; over 2 rounds and a final scale the accumulated RMS error stays well below 1e-6 of the norm
    // (measured: about 1e-7). 1e-5 is the brief's bound for norm and round trip; 2e-6 for the oracle.
    private const double NormAndRoundTripTolerance = 1e-5;
    private const double OracleTolerance = 2e-6;

    public static TheoryData<int> Dimensions => RotationTestData.DimensionData();

    [Theory]
    [MemberData(nameof(Dimensions))]
    public void Forward_PreservesNormAndInverseRestoresInput(int dimension)
    {
        foreach (ulong seed in RotationTestData.Seeds)
        {
            var rotation = new HadamardRotation(dimension, seed);
            float[] x = RotationTestData.Gaussian(dimension, seed + 1);
            float[] y = new float[dimension];
            float[] back = new float[dimension];
            rotation.Forward(x, y);
            rotation.Inverse(y, back);

            double norm = RotationTestData.Norm(x);
            double normError = Math.Abs(RotationTestData.Norm(y) - norm) / norm;
            Assert.True(normError < NormAndRoundTripTolerance, $"d={dimension} seed={seed}: |‖Πx‖-‖x‖|/‖x‖ = {normError:E2}");
            double roundTrip = RotationTestData.RelativeDistance(back, x.Select(v => (double)v).ToArray(), norm);
            Assert.True(roundTrip < NormAndRoundTripTolerance, $"d={dimension} seed={seed}: ‖ΠᵀΠx-x‖/‖x‖ = {roundTrip:E2}");
        }
    }

    [Theory]
    [MemberData(nameof(Dimensions))]
    public void ForwardAndInverse_MatchDenseOracle(int dimension)
    {
        const ulong seed = 7;
        var rotation = new HadamardRotation(dimension, seed);
        var oracle = new DenseRotationOracle(dimension, seed, HadamardRotation.DefaultRounds);
        float[] x = RotationTestData.Gaussian(dimension, 99);
        double norm = RotationTestData.Norm(x);
        float[] y = new float[dimension];

        rotation.Forward(x, y);
        double forwardError = RotationTestData.RelativeDistance(y, oracle.Forward(x), norm);
        Assert.True(forwardError < OracleTolerance, $"d={dimension} ({rotation.Construction}): forward vs oracle {forwardError:E2}");

        rotation.Inverse(x, y);
        double inverseError = RotationTestData.RelativeDistance(y, oracle.Inverse(x), norm);
        Assert.True(inverseError < OracleTolerance, $"d={dimension} ({rotation.Construction}): inverse vs oracle {inverseError:E2}");
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(100, 1)]
    [InlineData(768, 1)]
    [InlineData(768, 3)]
    [InlineData(1000, 4)]
    public void OtherRoundCounts_MatchDenseOracle(int dimension, int rounds)
    {
        var rotation = new HadamardRotation(dimension, 5, rounds);
        var oracle = new DenseRotationOracle(dimension, 5, rounds);
        float[] x = RotationTestData.Gaussian(dimension, 3);
        float[] y = new float[dimension];
        rotation.Forward(x, y);
        double error = RotationTestData.RelativeDistance(y, oracle.Forward(x), RotationTestData.Norm(x));
        Assert.True(error < OracleTolerance, $"d={dimension} R={rounds}: {error:E2}");
    }

    [Fact]
    public void OracleBlocks_AreOrthogonalHadamardMatrices()
    {
        // Guards the oracle itself: H·Hᵀ = n·I for the Paley matrix and for one Kronecker block.
        int[,] paley = DenseRotationOracle.Paley12();
        foreach (int n in new[] { 12, 16, 24, 96 })
        {
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    int dot = 0;
                    for (int k = 0; k < n; k++)
                    {
                        dot += DenseRotationOracle.BlockEntry(n, i, k, paley) * DenseRotationOracle.BlockEntry(n, j, k, paley);
                    }
                    Assert.Equal(i == j ? n : 0, dot);
                    Assert.Equal(DenseRotationOracle.BlockEntry(n, i, j, paley), DenseRotationOracle.BlockEntry(n, j, i, paley));
                }
            }
        }
    }

    [Theory]
    [InlineData(1, "pow2", 1)]
    [InlineData(3, "overlap-pow2", 2)]
    [InlineData(12, "kron12", 12)]
    [InlineData(100, "overlap-kron12", 96)]
    [InlineData(129, "overlap-pow2", 128)]
    [InlineData(384, "kron12", 384)]
    [InlineData(768, "kron12", 768)]
    [InlineData(784, "overlap-kron12", 768)]
    [InlineData(1000, "overlap-kron12", 768)]
    [InlineData(1024, "pow2", 1024)]
    [InlineData(1536, "kron12", 1536)]
    [InlineData(3072, "kron12", 3072)]
    public void Construction_IsExactDimensionBlockOfExpectedLength(int dimension, string construction, int blockLength)
    {
        var rotation = new HadamardRotation(dimension, 1);
        Assert.Equal(construction, rotation.Construction);
        Assert.Equal(blockLength, rotation.BlockLength);
        Assert.Equal(dimension, rotation.Dimension);
    }

    [Fact]
    public void Properties_ReflectConstructorArguments()
    {
        var rotation = new HadamardRotation(64, 123, 3, SimdLevel.Scalar);
        Assert.Equal(64, rotation.Dimension);
        Assert.Equal(123UL, rotation.Seed);
        Assert.Equal(3, rotation.Rounds);
        Assert.Equal(SimdLevel.Scalar, rotation.Level);
        Assert.Equal(SimdCapabilities.Best, new HadamardRotation(64, 1).Level);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(-5, 2)]
    [InlineData(HadamardRotation.MaxDimension + 1, 2)]
    [InlineData(16, 0)]
    [InlineData(16, HadamardRotation.MaxRounds + 1)]
    public void Constructor_RejectsOutOfRangeArguments(int dimension, int rounds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new HadamardRotation(dimension, 1, rounds));

    [Fact]
    public void Constructor_RejectsUnavailableLevel()
    {
        var unavailable = Enum.GetValues<SimdLevel>().Where(l => !SimdCapabilities.Available.Contains(l)).ToArray();
        foreach (SimdLevel level in unavailable)
        {
            var error = Assert.Throws<ArgumentException>(() => new HadamardRotation(16, 1, level: level));
            Assert.Contains("not available", error.Message);
        }
        Assert.Throws<ArgumentException>(() => new HadamardRotation(16, 1, level: (SimdLevel)77));
    }

    [Theory]
    [InlineData(99, 100)]
    [InlineData(100, 99)]
    [InlineData(0, 100)]
    public void ForwardAndInverse_RejectWrongLengthsAndLeaveOutputUntouched(int inputLength, int outputLength)
    {
        var rotation = new HadamardRotation(100, 1);
        float[] input = new float[inputLength];
        float[] output = Enumerable.Repeat(5f, outputLength).ToArray();
        var forward = Assert.Throws<ArgumentException>(() => rotation.Forward(input, output));
        Assert.Contains("exactly 100", forward.Message);
        Assert.Throws<ArgumentException>(() => rotation.Inverse(input, output));
        Assert.All(output, v => Assert.Equal(5f, v));
    }

    [Theory]
    [InlineData(768)]
    [InlineData(1000)]
    [InlineData(1024)]
    public void Forward_InPlaceAndPartiallyOverlapping_MatchSeparateBuffers(int dimension)
    {
        var rotation = new HadamardRotation(dimension, 11);
        float[] x = RotationTestData.Gaussian(dimension, 12);
        float[] expected = new float[dimension];
        rotation.Forward(x, expected);
        float[] expectedInverse = new float[dimension];
        rotation.Inverse(x, expectedInverse);

        float[] inPlace = (float[])x.Clone();
        rotation.Forward(inPlace, inPlace);
        Assert.Equal(expected, inPlace);
        inPlace = (float[])x.Clone();
        rotation.Inverse(inPlace, inPlace);
        Assert.Equal(expectedInverse, inPlace);

        foreach (int shift in new[] { -3, 5 })
        {
            float[] buffer = new float[dimension + 16];
            int inputStart = 4;
            x.CopyTo(buffer, inputStart);
            rotation.Forward(buffer.AsSpan(inputStart, dimension), buffer.AsSpan(inputStart + shift, dimension));
            Assert.Equal(expected, buffer.AsSpan(inputStart + shift, dimension).ToArray());
        }
    }

    [Fact]
    public void ForwardAndInverse_ConcurrentCallsOnOneInstance_GiveSequentialBits()
    {
        // One shared rotation, many threads, each call with its own output buffer (an output span is scratch for
        // the call that owns it). Any shared mutable state in the instance would corrupt some results.
        const int dimension = 1000;
        var rotation = new HadamardRotation(dimension, 21);
        float[][] inputs = Enumerable.Range(0, 64).Select(i => RotationTestData.Gaussian(dimension, (ulong)i)).ToArray();
        float[][] expectedForward = inputs.Select(x => Apply(rotation.Forward, x)).ToArray();
        float[][] expectedInverse = inputs.Select(x => Apply(rotation.Inverse, x)).ToArray();
        int mismatches = 0;
        Parallel.For(0, inputs.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            int i = k % inputs.Length;
            if (!Apply(rotation.Forward, inputs[i]).AsSpan().SequenceEqual(expectedForward[i])
                || !Apply(rotation.Inverse, inputs[i]).AsSpan().SequenceEqual(expectedInverse[i]))
            {
                Interlocked.Increment(ref mismatches);
            }
        });
        Assert.Equal(0, mismatches);
    }

    private delegate void RotateAction(ReadOnlySpan<float> input, Span<float> output);

    private static float[] Apply(RotateAction rotate, float[] x)
    {
        float[] y = new float[x.Length];
        rotate(x, y);
        return y;
    }

    [Theory]
    [InlineData(100)]
    [InlineData(768)]
    [InlineData(1024)]
    public void ForwardAndInverse_AllocateNothing(int dimension)
    {
        foreach (SimdLevel level in SimdCapabilities.Available)
        {
            var rotation = new HadamardRotation(dimension, 3, level: level);
            float[] x = RotationTestData.Gaussian(dimension, 4);
            float[] y = new float[dimension];
            rotation.Forward(x, y);
            rotation.Inverse(y, y);
            rotation.ForwardRound(y, y, 1);
            // The least of several attempts: tiered JIT may allocate once while a method is recompiled (seen once
            // in CI under DOTNET_PreferredVectorBitWidth=256); a real per-call allocation shows in every attempt.
            long least = long.MaxValue;
            for (int attempt = 0; attempt < 5; attempt++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 10; i++)
                {
                    rotation.Forward(x, y);
                    rotation.Inverse(y, y);
                    rotation.ForwardRound(y, y, 1);
                }
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.Equal(0, least);
        }
    }
}
