using VectorDb.Index.Common;

namespace VectorDb.Index.Tests.Common;

/// <summary>
/// CI re-runs this project with the runtime's SIMD switches narrowed. These tests prove that each run really
/// exercised the path it claims to (a stale switch such as DOTNET_EnableAVX512F silently tests the wide path twice).
/// </summary>
public class SimdCapabilitiesTests
{
    [Fact]
    public void Best_FollowsRuntimeSwitches()
    {
        SimdLevel expectedCeiling = SimdLevel.Vector512;
        if (Environment.GetEnvironmentVariable("DOTNET_PreferredVectorBitWidth") == "256")
        {
            expectedCeiling = SimdLevel.Vector256;
        }
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
        {
            expectedCeiling = SimdLevel.Vector128;
        }
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
        {
            expectedCeiling = SimdLevel.Scalar;
        }
        Assert.True(SimdCapabilities.Hardware <= expectedCeiling,
            $"runtime switches allow at most {expectedCeiling}, but {SimdCapabilities.Hardware} was detected: the switch did not take effect.");
        string? expected = Environment.GetEnvironmentVariable("VECTORDB_EXPECT_SIMD");
        if (expected is not null)
        {
            // CI sets this next to each switch, so a machine that silently lacks a width fails loudly instead.
            Assert.Equal(expected, SimdCapabilities.Best.ToString());
        }
    }

    [Fact]
    public void Available_ContainsScalarAndBest()
    {
        Assert.Contains(SimdLevel.Scalar, SimdCapabilities.Available);
        Assert.Contains(SimdCapabilities.Best, SimdCapabilities.Available);
    }

    [Theory]
    [InlineData(SimdLevel.Vector512, "256", SimdLevel.Vector256)]
    [InlineData(SimdLevel.Vector256, "512", SimdLevel.Vector256)]
    [InlineData(SimdLevel.Vector512, "scalar", SimdLevel.Scalar)]
    [InlineData(SimdLevel.Vector128, null, SimdLevel.Vector128)]
    public void Cap_NarrowsButNeverWidens(SimdLevel hardware, string? cap, SimdLevel expected) =>
        Assert.Equal(expected, SimdCapabilities.Cap(hardware, cap));

    [Fact]
    public void Cap_RejectsUnknownValue() =>
        Assert.Throws<InvalidOperationException>(() => SimdCapabilities.Cap(SimdLevel.Vector512, "avx9"));
}
