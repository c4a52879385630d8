using VectorDb.Cluster.Hosting;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VectorDb.Cluster;
using VectorDb.Cluster.Contracts;
using VectorDb.Cluster.Grains;
using VectorDb.Datasets;
using VectorDb;

const string Usage = """
    vectordb-cluster [--gateways 30000,30001,30002] [--cluster-id vectordb-local] [--silo-certificate <pfx>] <command>
      create <name> --dim <d> [--metric cosine|innerproduct|l2] [--bits 4] [--shards 6] [--replicas 2]
      import <name> <base.fvecs> [--consistency all|majority|one]     ids = row numbers; exit 0 once all acknowledged
      search <name> --queries <query.fvecs> [--k 10] [--ground-truth <gt.ivecs>] [--partial]
      count <name>
      map <name>                                                        epoch, primary and in-sync set per shard
      drop <name>
    """;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
var positional = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i].StartsWith("--", StringComparison.Ordinal))
    {
        options[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
    }
    else
    {
        positional.Add(args[i]);
    }
}
if (positional.Count < 2)
{
    Console.Error.WriteLine(Usage);
    return 2;
}
string command = positional[0], name = positional[1];
int Int(string key, int fallback) => options.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
int[] gateways = [.. options.GetValueOrDefault("gateways", "30000,30001,30002").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))];

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Error);
builder.UseOrleansClient(c =>
{
    c.UseLocalhostClustering(gateways, "vectordb", options.GetValueOrDefault("cluster-id", "vectordb-local"));
    if (options.TryGetValue("silo-certificate", out var certificate))
    {
        // The nodes' --silo-certificate (password: $VECTORDB_SILO_CERTIFICATE_PASSWORD): their gateways require it.
        c.UseVectorDbTls(ClusterTls.Load(certificate, Environment.GetEnvironmentVariable("VECTORDB_SILO_CERTIFICATE_PASSWORD")));
    }
});
builder.Services.AddVectorDbExceptions();
using var host = builder.Build();
await host.StartAsync();
var coordinator = host.Services.GetRequiredService<IClusterClient>().GetGrain<IClusterCoordinatorGrain>(0);

try
{
    return await RunAsync();
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
    return 1;
}

async Task<int> RunAsync()
{
    switch (command)
    {
        case "create":
            var config = new CollectionConfig(Int("dim", 0), Enum.Parse<Metric>(options.GetValueOrDefault("metric", "cosine"), ignoreCase: true), Bits: Int("bits", CollectionConfig.DefaultBits));
            var created = await coordinator.CreateCollection(name, ClusterCollectionSpec.From(config, Int("shards", 6), Int("replicas", 2)));
            Console.WriteLine($"created '{name}': {created.Shards.Length} shards, {created.Spec.Replicas} replicas each");
            return 0;
        case "import":
            var rows = Texmex.ReadFvecs(positional[2]);
            var consistency = Enum.Parse<WriteConsistency>(options.GetValueOrDefault("consistency", "all"), ignoreCase: true);
            for (int start = 0; start < rows.Count; start += 500)
            {
                var batch = Enumerable.Range(start, Math.Min(500, rows.Count - start)).Select(i => new ClusterPoint((ulong)i, rows.Row(i).ToArray())).ToArray();
                var result = await coordinator.Upsert(name, batch, consistency);
                if (!result.AllAcknowledged)
                {
                    Console.Error.WriteLine($"rows {start}..{start + batch.Length - 1}: shards {string.Join(",", result.FailedShards)} did not acknowledge: {string.Join("; ", result.Errors)}");
                    return 1;
                }
            }
            Console.WriteLine($"imported {rows.Count} points into '{name}' (consistency {consistency})");
            return 0;
        case "search":
            var queries = Texmex.ReadFvecs(options["queries"]);
            int k = Int("k", 10);
            var truth = options.TryGetValue("ground-truth", out var gt) ? Texmex.ReadIvecs(gt).Rows : null;
            double recall = 0;
            for (int q = 0; q < queries.Count; q++)
            {
                var answer = await coordinator.Search(name, new ShardSearchRequest(queries.Row(q).ToArray(), k), options.ContainsKey("partial"), ReadPreference.Any);
                if (answer.MissingShards.Length > 0)
                {
                    Console.Error.WriteLine($"query {q}: shards {string.Join(",", answer.MissingShards)} missing");
                }
                if (truth is not null)
                {
                    var expected = truth[q].Take(k).Select(i => (ulong)i).ToHashSet();
                    recall += answer.Hits.Count(h => expected.Contains(h.Id.Number)) / (double)k;
                }
                else
                {
                    Console.WriteLine(string.Join(" ", answer.Hits.Select(h => $"{h.Id}:{h.Score:F4}")));
                }
            }
            if (truth is not null)
            {
                Console.WriteLine($"recall@{k} over {queries.Count} queries: {recall / queries.Count:F4}");
            }
            return 0;
        case "count":
            Console.WriteLine(await coordinator.Count(name));
            return 0;
        case "map":
            var map = await host.Services.GetRequiredService<IClusterClient>().GetGrain<IShardMapGrain>(name).Get();
            if (map is null)
            {
                Console.Error.WriteLine($"no clustered collection '{name}'");
                return 1;
            }
            foreach (var shard in map.Shards)
            {
                Console.WriteLine($"shard {shard.Shard}: epoch {shard.Epoch}, primary {shard.Primary}, in sync [{string.Join(", ", shard.InSync)}]");
            }
            return 0;
        case "drop":
            await coordinator.DropCollection(name);
            Console.WriteLine($"dropped '{name}'");
            return 0;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
