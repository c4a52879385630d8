using VectorDb.Gpu;
using VectorDb.Server;

namespace VectorDb.Server.Tests;

/// <summary>The server's <c>--gpu</c> option: parsing, and what each mode does on this machine (CI has no CUDA; on
/// a machine with one the required/auto cases check the other branch).</summary>
public sealed class GpuScoringTests
{
    [Theory]
    [InlineData("bogus")]
    [InlineData("gpu")]
    [InlineData("")]
    public void UnknownMode_IsRefusedWithTheOptionName(string mode)
    {
        var error = Assert.Throws<ArgumentException>(() => GpuScoring.FromMode(mode));
        Assert.Contains("--gpu", error.Message);
    }

    [Theory]
    [InlineData("off")]
    [InlineData(" OFF ")]
    public void Off_KeepsTheCpuScorer_WithoutProbing(string mode)
    {
        using var scoring = GpuScoring.FromMode(mode);
        Assert.Equal(GpuMode.CpuOnly, scoring.Mode);
        Assert.Equal(0, scoring.CudaDevices);
        Assert.Null(scoring.Factory);
    }

    [Fact]
    public void Required_StartsOnlyWithCuda_AutoFallsBackWithout()
    {
        int devices = ExactScorerFactory.CudaDeviceCount();
        using var auto = GpuScoring.FromMode(null);
        Assert.Equal(GpuMode.Auto, auto.Mode);
        Assert.Equal(devices, auto.CudaDevices);
        Assert.Equal(devices > 0, auto.Factory is not null);
        if (devices == 0)
        {
            var error = Assert.Throws<InvalidOperationException>(() => GpuScoring.FromMode("required"));
            Assert.Contains("no CUDA device", error.Message);
        }
        else
        {
            using var required = GpuScoring.FromMode("required");
            Assert.Equal(GpuMode.CudaRequired, required.Mode);
        }
    }
}
