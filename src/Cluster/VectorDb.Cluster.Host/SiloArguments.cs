using System.Globalization;
using VectorDb.Cluster.Contracts;

namespace VectorDb.Cluster.Host;

/// <summary>Command line of one local silo (all on 127.0.0.1).</summary>
internal sealed record SiloArguments(int SiloPort, int GatewayPort, int? PrimaryPort, string DataDirectory, string SharedDirectory,
    TimeSpan ReReplicationGrace, string ClusterId, int GrpcPort, int Shards, int Replicas, WriteConsistency Consistency)
{
    public const string Usage = """
        vectordb-silo --silo-port <port> --gateway-port <port> --data-dir <dir> --shared-dir <dir>
                      [--primary-port <port>] [--grpc-port <port>] [--shards <S>] [--replicas <R>] [--consistency all|majority|one]
                      [--grace-seconds <s>] [--cluster-id <id>]
          --silo-port      silo-to-silo port on 127.0.0.1
          --gateway-port   Orleans client port on 127.0.0.1
          --data-dir       this silo's own data folder (its shards)
          --shared-dir     folder every silo on this machine shares: the membership table and the shard maps (files)
          --primary-port   use Orleans' development membership instead, held by the silo on this silo port (a single
                           point of failure: for comparison only)
          --grpc-port      serve the vectordb.v1 gRPC API on 127.0.0.1:<port> (default 0: no API)
          --shards         shards of a collection created through the API (default 6)
          --replicas       replicas per shard of a collection created through the API (default 2)
          --consistency    consistency of writes made through the API (default all)
          --grace-seconds  wait before re-creating a lost replica elsewhere (default 30)
          --cluster-id     Orleans cluster id (default vectordb-local)
        API keys as for the server: VectorDb__ApiKey / VectorDb__ReadOnlyApiKey in the environment.
        Prints "silo ready <address>" once it serves; Ctrl-C or SIGTERM stops it gracefully.
        """;

    private static readonly string[] s_known =
        ["silo-port", "gateway-port", "primary-port", "data-dir", "shared-dir", "grpc-port", "shards", "replicas", "consistency", "grace-seconds", "cluster-id"];

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
        if (values.Keys.FirstOrDefault(k => !s_known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"unknown option --{unknown}.");
        }
        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required.");
        int Number(string name, int? fallback = null) => values.TryGetValue(name, out var v) || fallback is null
            ? int.Parse(v ?? Required(name), NumberStyles.None, CultureInfo.InvariantCulture)
            : fallback.Value;
        var consistency = values.TryGetValue("consistency", out var c)
            ? Enum.Parse<WriteConsistency>(c, ignoreCase: true)
            : WriteConsistency.All;
        int? primary = values.ContainsKey("primary-port") ? Number("primary-port") : null;
        return new SiloArguments(Number("silo-port"), Number("gateway-port"), primary, Required("data-dir"), Required("shared-dir"),
            TimeSpan.FromSeconds(values.TryGetValue("grace-seconds", out var grace) ? double.Parse(grace, CultureInfo.InvariantCulture) : 30),
            values.GetValueOrDefault("cluster-id", "vectordb-local"), Number("grpc-port", 0), Number("shards", 6), Number("replicas", 2), consistency);
    }
}
