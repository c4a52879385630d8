namespace VectorDb.Server.Clustering;

/// <summary>
/// The section "VectorDb:Cluster": cluster mode (docs/cluster.md). With <see cref="Enabled"/> false (the default) the
/// server is the single-node server and never loads Orleans. Shortcuts on the command line: <c>--cluster</c> (the flag
/// turns it on), <c>--silo-port</c>, <c>--gateway-port</c>, <c>--shared-dir</c>, <c>--shards</c>, <c>--replicas</c>,
/// <c>--consistency</c>, <c>--grace-seconds</c>, <c>--cluster-id</c>, <c>--silo-certificate</c>, <c>--membership</c>,
/// <c>--redis</c>, <c>--silo-address</c>. This type names no Orleans type, so that reading
/// it loads nothing of Orleans.
/// </summary>
public sealed class ClusterModeOptions
{
    /// <summary>Run a silo in this process and route vectordb.v1 through the cluster.</summary>
    public bool Enabled { get; set; }

    /// <summary>Silo-to-silo port on 127.0.0.1.</summary>
    public int SiloPort { get; set; }

    /// <summary>Orleans client (gateway) port on 127.0.0.1, for the cluster CLI and Orleans clients.</summary>
    public int GatewayPort { get; set; }

    /// <summary>Folder every silo on this machine shares: the membership table and the shard maps (files; membership
    /// "file" only).</summary>
    public string SharedDirectory { get; set; } = "";

    /// <summary>Where the membership table and the shard maps live: "file" (the default: files in
    /// <see cref="SharedDirectory"/>, one machine, no service needed) or "redis" (Orleans' Redis providers on
    /// <see cref="Redis"/>: several machines).</summary>
    public string Membership { get; set; } = "file";

    /// <summary>The Redis of membership "redis": a StackExchange.Redis configuration string (<c>host:6379</c>, options
    /// such as <c>password=...,ssl=true</c> after commas; environment: VectorDb__Cluster__Redis).</summary>
    public string Redis { get; set; } = "";

    /// <summary>The IP address the silo and gateway ports listen on and advertise (default 127.0.0.1). Another address
    /// needs membership "redis": the file table is for one machine.</summary>
    public string SiloAddress { get; set; } = "127.0.0.1";

    /// <summary>Membership and map storage on Redis.</summary>
    internal bool UsesRedis => string.Equals(Membership, "redis", StringComparison.OrdinalIgnoreCase);

    /// <summary>Shards of a collection created through the API (S, fixed at creation).</summary>
    public int Shards { get; set; } = 6;

    /// <summary>Replicas per shard of a collection created through the API (R).</summary>
    public int Replicas { get; set; } = 2;

    /// <summary>Consistency of writes made through the API: all, majority or one.</summary>
    public string Consistency { get; set; } = "all";

    /// <summary>Seconds to wait before re-creating a lost replica on another silo.</summary>
    public double GraceSeconds { get; set; } = 30;

    /// <summary>Orleans cluster id (silos with the same shared folder and id form one cluster).</summary>
    public string ClusterId { get; set; } = "vectordb-local";

    // The names of VectorDb.Cluster's WriteConsistency, spelled here so that validating them loads no cluster assembly.
    private static readonly string[] s_consistencies = ["all", "majority", "one"];

    /// <summary>A PKCS#12 (.pfx) file with a certificate and its private key that every node of the cluster holds: silo
    /// and gateway connections then use mutual TLS and accept only peers presenting it (docs/cluster.md, "Security").
    /// Empty: plain TCP (one machine's loopback only).</summary>
    public string TlsCertificate { get; set; } = "";

    /// <summary>The password of <see cref="TlsCertificate"/> (environment: VectorDb__Cluster__TlsCertificatePassword).</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>Command-line shortcuts → configuration keys.</summary>
    internal static readonly Dictionary<string, string> Shortcuts = new(StringComparer.Ordinal)
    {
        ["--silo-port"] = $"{ServerOptions.Section}:Cluster:SiloPort",
        ["--gateway-port"] = $"{ServerOptions.Section}:Cluster:GatewayPort",
        ["--shared-dir"] = $"{ServerOptions.Section}:Cluster:SharedDirectory",
        ["--shards"] = $"{ServerOptions.Section}:Cluster:Shards",
        ["--replicas"] = $"{ServerOptions.Section}:Cluster:Replicas",
        ["--consistency"] = $"{ServerOptions.Section}:Cluster:Consistency",
        ["--grace-seconds"] = $"{ServerOptions.Section}:Cluster:GraceSeconds",
        ["--cluster-id"] = $"{ServerOptions.Section}:Cluster:ClusterId",
        ["--silo-certificate"] = $"{ServerOptions.Section}:Cluster:TlsCertificate",
        ["--membership"] = $"{ServerOptions.Section}:Cluster:Membership",
        ["--redis"] = $"{ServerOptions.Section}:Cluster:Redis",
        ["--silo-address"] = $"{ServerOptions.Section}:Cluster:SiloAddress",
    };

    /// <summary>The arguments with the bare flag <c>--cluster</c> written as the setting it stands for (the
    /// configuration's command-line reader would otherwise take the next argument as its value).</summary>
    /// <param name="args">The server's command line.</param>
    internal static string[] ExpandFlag(string[] args) =>
        [.. args.Select(a => a == "--cluster" ? $"--{ServerOptions.Section}:Cluster:Enabled=true" : a)];

    /// <summary>File membership needs the shared folder and stays on loopback; Redis needs its connection string and
    /// takes no shared folder (nothing would read it).</summary>
    private void ValidateMembership()
    {
        if (!System.Net.IPAddress.TryParse(SiloAddress, out var address))
        {
            throw new ArgumentException($"--silo-address must be an IP address (got '{SiloAddress}').");
        }
        if (UsesRedis)
        {
            if (Redis.Trim().Length == 0)
            {
                throw new ArgumentException("--membership redis needs --redis: the Redis configuration string (host:port[,password=...]).");
            }
            if (SharedDirectory.Length > 0)
            {
                throw new ArgumentException("--shared-dir is for --membership file; with --membership redis the table and the maps are in Redis.");
            }
            return;
        }
        if (!string.Equals(Membership, "file", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"--membership must be file or redis (got '{Membership}').");
        }
        if (SharedDirectory.Trim().Length == 0)
        {
            throw new ArgumentException("--cluster needs --shared-dir: the folder every silo of this machine shares (membership table, shard maps).");
        }
        if (!System.Net.IPAddress.IsLoopback(address) || Redis.Length > 0)
        {
            throw new ArgumentException("--membership file is one machine's: it listens on loopback only and takes no --redis (use --membership redis).");
        }
    }

    /// <summary>Refuses settings that cannot run: cluster options without <c>--cluster</c>, missing ports or shared
    /// folder, S or R out of range, an unknown consistency.</summary>
    internal void Validate(bool anyClusterSetting)
    {
        if (!Enabled)
        {
            if (anyClusterSetting)
            {
                throw new ArgumentException("cluster options (--silo-port, --shared-dir, ...) need --cluster.");
            }
            return;
        }
        if (SiloPort is <= 0 or > 65535 || GatewayPort is <= 0 or > 65535 || SiloPort == GatewayPort)
        {
            throw new ArgumentException($"--cluster needs --silo-port and --gateway-port: two different ports in 1-65535 (got {SiloPort} and {GatewayPort}).");
        }
        ValidateMembership();
        if (Shards < 1 || Replicas < 1)
        {
            throw new ArgumentException($"--shards and --replicas must be at least 1 (got {Shards} and {Replicas}).");
        }
        if (!s_consistencies.Contains(Consistency.ToLowerInvariant()))
        {
            throw new ArgumentException($"--consistency must be all, majority or one (got '{Consistency}').");
        }
        if (TlsCertificate.Length > 0 && !File.Exists(TlsCertificate))
        {
            throw new ArgumentException($"--silo-certificate: no file at '{TlsCertificate}' (a .pfx with the cluster's certificate and key).");
        }
        if (!(GraceSeconds >= 0))
        {
            throw new ArgumentException($"--grace-seconds must be 0 or more (got {GraceSeconds}).");
        }
    }
}
