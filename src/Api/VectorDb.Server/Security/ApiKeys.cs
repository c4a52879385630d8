using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace VectorDb.Server.Security;

/// <summary>What a presented key may do.</summary>
public enum KeyRole
{
    /// <summary>No key, or a key the server does not know.</summary>
    None,
    ReadOnly,
    ReadWrite,
}

/// <summary>
/// The configured API keys, shared by the gRPC check (<see cref="Interceptors.ApiKeyInterceptor"/>) and the metrics
/// endpoint (<see cref="Hosting.MetricsAuthorization"/>). Keys are compared as SHA-256 digests in fixed time, so neither
/// length nor content leaks through timing.
/// </summary>
public sealed class ApiKeys
{
    private const string Bearer = "Bearer ";

    private readonly byte[][] _readWrite;
    private readonly byte[][] _readOnly;

    public ApiKeys(IOptions<ServerOptions> options)
    {
        _readWrite = [.. options.Value.AllReadWriteKeys.Select(Digest)];
        _readOnly = [.. options.Value.AllReadOnlyKeys.Select(Digest)];
    }

    /// <summary>True when at least one key is configured (otherwise every caller may do everything).</summary>
    public bool Enabled => _readWrite.Length + _readOnly.Length > 0;

    /// <summary>The key sent as <c>api-key: &lt;key&gt;</c> or <c>authorization: Bearer &lt;key&gt;</c>, or null.</summary>
    public static string? Presented(string? apiKeyHeader, string? authorizationHeader)
    {
        if (apiKeyHeader is { Length: > 0 })
        {
            return apiKeyHeader;
        }
        return authorizationHeader is { } authorization && authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            ? authorization[Bearer.Length..].Trim()
            : null;
    }

    /// <summary>The role of <paramref name="key"/> (None for null or unknown keys).</summary>
    public KeyRole RoleOf(string? key)
    {
        if (key is null)
        {
            return KeyRole.None;
        }
        byte[] digest = Digest(key);
        return Matches(_readWrite, digest) ? KeyRole.ReadWrite
            : Matches(_readOnly, digest) ? KeyRole.ReadOnly
            : KeyRole.None;
    }

    private static bool Matches(byte[][] keys, byte[] digest)
    {
        bool found = false;
        foreach (var key in keys)
        {
            found |= CryptographicOperations.FixedTimeEquals(key, digest);
        }
        return found;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
