using System.Globalization;

namespace VectorDb.Cluster.Host;

/// <summary>Command line of one local silo (all on 127.0.0.1; membership is Orleans' development clustering, whose
/// table lives on the silo listening on <see cref="PrimaryPort"/>).</summary>
internal sealed record SiloArguments(int SiloPort, int GatewayPort, int PrimaryPort, string DataDirectory, string SharedDirectory,
    TimeSpan ReReplicationGrace, string ClusterId)
{
    public const string Usage = """
        vectordb-silo --silo-port <port> --gateway-port <port> --primary-port <port> --data-dir <dir> --shared-dir <dir>
                      [--grace-seconds <s>] [--cluster-id <id>]
          --silo-port      silo-to-silo port on 127.0.0.1
          --gateway-port   client port on 127.0.0.1
          --primary-port   silo port of the silo holding the development membership table (the first silo: its own port)
          --data-dir       this silo's own data folder (its shards)
          --shared-dir     folder every silo on this machine shares (shard maps, through file grain storage)
          --grace-seconds  wait before re-creating a lost replica elsewhere (default 30)
          --cluster-id     Orleans cluster id (default vectordb-local)
        Prints "silo ready <address>" once it serves; Ctrl-C or SIGTERM stops it gracefully.
        """;

    public static SiloArguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--option value' at '{args[i]}'.");
            }
            values[args[i][2..]] = args[i + 1];
        }
        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required.");
        int Port(string name) => int.Parse(Required(name), NumberStyles.None, CultureInfo.InvariantCulture);
        var known = new[] { "silo-port", "gateway-port", "primary-port", "data-dir", "shared-dir", "grace-seconds", "cluster-id" };
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"unknown option --{unknown}.");
        }
        return new SiloArguments(Port("silo-port"), Port("gateway-port"), Port("primary-port"), Required("data-dir"), Required("shared-dir"),
            TimeSpan.FromSeconds(values.TryGetValue("grace-seconds", out var grace) ? double.Parse(grace, CultureInfo.InvariantCulture) : 30),
            values.GetValueOrDefault("cluster-id", "vectordb-local"));
    }
}
