using VectorDb.Tests.Support;

namespace VectorDb.Server.Tests;

/// <summary>Connection limits that cannot work are refused at start-up with the setting's name (the server's
/// Program prints the message and exits 2).</summary>
public sealed class ConnectionOptionsTests
{
    [Theory]
    [InlineData("MaxConnections", "0")]
    [InlineData("HandshakeTimeoutSeconds", "-1")]
    [InlineData("KeepAliveTimeoutSeconds", "0")]
    [InlineData("MaxStreamsPerConnection", "0")]
    [InlineData("MaxHandshakes", "0")]
    public async Task NonPositiveLimit_IsRefusedAtStart_NamingTheSetting(string key, string value)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => InProcessServer.StartAsync(
            new Dictionary<string, string?> { [$"VectorDb:Connections:{key}"] = value }));
        Assert.Contains($"VectorDb:Connections:{key}", e.Message, StringComparison.Ordinal);
    }
}
