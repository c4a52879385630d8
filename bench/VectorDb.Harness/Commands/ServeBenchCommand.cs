using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;
using VectorDb.Api.V1;
using VectorDb.Client;
using VectorDb.Datasets;
using VectorDb.Harness.Report;
using VectorDb.Index.Rerank;

namespace VectorDb.Harness.Commands;

/// <summary>
/// Serving benchmark: starts the built server as a child process (or uses --server / --rest-server), imports a dataset
/// through the client-streaming upsert, then for each API (gRPC vectordb.v1; Qdrant's REST query route with --api rest;
/// Qdrant's gRPC query through Qdrant's .NET client with --api qdrant) and each client count N runs N concurrent
/// clients issuing single searches for a fixed time and reports QPS, p50/p99 latency and recall@k against the
/// dataset's ground truth, plus (REST, Qdrant gRPC) ids per second of a scroll over every point. Client and server share the machine: on a 2-core box the clients' own CPU time is part of every figure.
/// </summary>
internal sealed class ServeBenchCommand : ICommand
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public string Name => "serve-bench";

    public string Summary => "QPS and p50/p99 latency over gRPC with N concurrent clients";

    public string Usage => """
        usage: serve-bench --data <dir> [--clients 1,4,16] [--seconds 10] [--warmup 2] [--k 10] [--bits 4]
                           [--rerank auto|fixed|none] [--api grpc,rest,qdrant] [--server <url>] [--rest-server <url>]
                           [--out <file.json>]
          --api      which APIs to measure, in this order, on the same collection: grpc (vectordb.v1 Search), rest
                     (Qdrant's POST /collections/{name}/points/query), qdrant (Qdrant's gRPC qdrant.Points/Query
                     through the Qdrant.Client package, on the gRPC URL); rest and qdrant: rerank auto or none
          --data     dataset folder (base.fvecs, query.fvecs, groundtruth.ivecs; metric from the folder name)
          --clients  concurrent client counts to measure, one run each
          --seconds  measured seconds per run (after --warmup seconds)
          --server   an already running server's gRPC URL (default: start artifacts' VectorDb.Server on free ports)
          --rest-server  that server's REST URL (needed with --server and --api rest)
          --out      JSON report (default bench/results/serve-<date>.json); a Markdown table goes to stdout
        """;

    public int Run(Args options)
    {
        options.EnsureOnly("data", "clients", "seconds", "warmup", "k", "bits", "rerank", "api", "server", "rest-server", "out");
        var dataset = Dataset.Load(options.Required("data"));
        int[] clientCounts = options.IntList("clients", [1, 4, 16]);
        int seconds = options.Int("seconds", 10);
        int warmup = options.Int("warmup", 2);
        int k = options.Int("k", 10);
        int bits = options.Int("bits", 4);
        var rerank = options.String("rerank", "auto") switch
        {
            "auto" => RerankMode.RerankAuto,
            "fixed" => RerankMode.RerankFixed,
            "none" => RerankMode.RerankNone,
            var other => throw new ArgumentException($"--rerank must be auto, fixed or none, got '{other}'."),
        };
        string[] apis = options.String("api", "grpc").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (apis.Length == 0 || apis.Any(a => a is not ("grpc" or "rest" or "qdrant")))
        {
            throw new ArgumentException("--api must list grpc, rest and/or qdrant.");
        }
        if ((apis.Contains("rest") || apis.Contains("qdrant")) && rerank == RerankMode.RerankFixed)
        {
            throw new ArgumentException("--api rest and qdrant measure rerank auto or none (Qdrant's parameters have no plain 'fixed' without an oversampling).");
        }
        string output = options.String("out", Path.Combine("bench", "results", $"serve-{DateTime.UtcNow:yyyy-MM-dd}.json"));
        var servers = new ServerUrls(options.Optional("server"), options.Optional("rest-server"));
        if (servers.Grpc is not null && apis.Contains("rest") && servers.Rest is null)
        {
            throw new ArgumentException("--api rest with --server needs --rest-server <url>.");
        }
        return RunAsync(dataset, clientCounts, seconds, warmup, k, bits, rerank, apis, servers, output).GetAwaiter().GetResult();
    }

    private sealed record ServerUrls(string? Grpc, string? Rest);

    private static async Task<int> RunAsync(Dataset dataset, int[] clientCounts, int seconds, int warmup, int k, int bits,
        RerankMode rerank, string[] apis, ServerUrls servers, string output)
    {
        string? dataDirectory = null;
        Process? server = null;
        string? serverUrl = servers.Grpc, restUrl = servers.Rest;
        try
        {
            if (serverUrl is null)
            {
                dataDirectory = Path.Combine(Path.GetTempPath(), $"vectordb-serve-bench-{Guid.NewGuid():N}");
                (server, serverUrl, restUrl) = await StartServerAsync(dataDirectory);
            }
            using var client = new VectorDbClient(serverUrl);
            string collection = $"bench-{Guid.NewGuid():N}"[..14];
            var distance = dataset.Metric switch
            {
                Metric.Cosine => Distance.Cosine,
                Metric.InnerProduct => Distance.Dot,
                _ => Distance.Euclid,
            };
            await client.CreateCollectionAsync(collection, (ulong)dataset.Dimension, distance, (uint)bits);
            var ingestClock = Stopwatch.StartNew();
            var progress = new ProgressBar($"import {dataset.Name}", dataset.Base.Count);
            var batches = Enumerable.Range(0, dataset.Base.Count).Select(i => VectorDbClient.Point((ulong)i, dataset.Base.Row(i)))
                .Chunk(1000).Select(chunk => (IReadOnlyList<PointStruct>)chunk);
            await client.UpsertStreamAsync(collection, batches, new Progress<long>(progress.Report));
            progress.Done();
            double ingestPerSecond = dataset.Base.Count / ingestClock.Elapsed.TotalSeconds;

            var runs = new List<ServeRun>();
            var scrollIdsPerSecond = new Dictionary<string, double>();
            bool noRerank = rerank == RerankMode.RerankNone;
            foreach (string api in apis)
            {
                foreach (int clients in clientCounts)
                {
                    runs.Add(api switch
                    {
                        "grpc" => await MeasureAsync(serverUrl, collection, dataset, clients, seconds, warmup, k, rerank),
                        "rest" => await RestBench.MeasureAsync(restUrl!, collection, dataset, clients, seconds, warmup, k, noRerank),
                        _ => await QdrantBench.MeasureAsync(serverUrl, collection, dataset, clients, seconds, warmup, k, noRerank),
                    });
                }
                if (api == "rest")
                {
                    scrollIdsPerSecond["rest"] = await RestBench.ScrollAsync(restUrl!, collection, dataset.Base.Count);
                }
                if (api == "qdrant")
                {
                    scrollIdsPerSecond["qdrant-grpc"] = await QdrantBench.ScrollAsync(serverUrl, collection, dataset.Base.Count);
                }
            }
            await client.DeleteCollectionAsync(collection);
            Write(dataset, runs, ingestPerSecond, scrollIdsPerSecond, k, bits, rerank, output);
            return 0;
        }
        finally
        {
            if (server is not null)
            {
                using (var term = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }
                await server.WaitForExitAsync();
                server.Dispose();
            }
            if (dataDirectory is not null && Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    internal sealed record ServeRun(string Api, int Clients, long Queries, double Qps, double P50Ms, double P99Ms, double MeanMs, double Recall);

    /// <summary>N clients, each with its own channel, walking the query set from a different offset.</summary>
    private static async Task<ServeRun> MeasureAsync(string url, string collection, Dataset dataset, int clients, int seconds, int warmup,
        int k, RerankMode rerank)
    {
        var parameters = new SearchParams { Rerank = rerank };
        var start = DateTime.UtcNow;
        var measureFrom = start.AddSeconds(warmup);
        var measureTo = measureFrom.AddSeconds(seconds);
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var client = new VectorDbClient(url);
            var latencies = new List<double>();
            int found = 0, asked = 0;
            for (int i = c * 7; DateTime.UtcNow < measureTo; i++)
            {
                int q = i % dataset.Queries.Count;
                long t0 = Stopwatch.GetTimestamp();
                var hits = await client.SearchAsync(collection, dataset.Queries.Row(q).ToArray(), (ulong)k, parameters: parameters);
                double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (DateTime.UtcNow >= measureFrom)
                {
                    latencies.Add(ms);
                    var truth = dataset.TrueNeighbours[q].Take(k).ToHashSet();
                    found += hits.Count(h => truth.Contains((int)h.Id.Num));
                    asked += k;
                }
            }
            return (latencies, found, asked);
        })));
        return Summarise("grpc", clients, seconds, k, perClient);
    }

    /// <summary>One run's figures from its clients' latencies and hit counts.</summary>
    internal static ServeRun Summarise(string api, int clients, int seconds, int k, (List<double> latencies, int found, int asked)[] perClient)
    {
        var all = perClient.SelectMany(p => p.latencies).Order().ToArray();
        double recall = (double)perClient.Sum(p => p.found) / Math.Max(1, perClient.Sum(p => p.asked));
        var run = new ServeRun(api, clients, all.Length, all.Length / (double)seconds, Percentile(all, 0.50), Percentile(all, 0.99),
            all.Length == 0 ? 0 : all.Average(), recall);
        Console.Error.WriteLine($"{api}, clients {clients}: {run.Qps:F0} QPS, p50 {run.P50Ms:F2} ms, p99 {run.P99Ms:F2} ms, recall@{k} {run.Recall:F3}");
        return run;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static void Write(Dataset dataset, List<ServeRun> runs, double ingestPerSecond, Dictionary<string, double> scrollIdsPerSecond, int k, int bits,
        RerankMode rerank, string output)
    {
        string machine = MachineDescription.Current();
        var report = new
        {
            command = "serve-bench",
            dataset = dataset.Name,
            vectors = dataset.Base.Count,
            dimension = dataset.Dimension,
            bits,
            rerank = rerank.ToString(),
            k,
            machine,
            ingestPointsPerSecond = Math.Round(ingestPerSecond),
            scrollIdsPerSecond = scrollIdsPerSecond.ToDictionary(s => s.Key, s => Math.Round(s.Value)),
            runs,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, JsonSerializer.Serialize(report, s_indented));
        Console.WriteLine($"serve-bench {dataset.Name} ({dataset.Base.Count} × {dataset.Dimension}), {bits} bits, rerank {rerank}, k = {k}");
        Console.WriteLine($"machine: {machine}; ingest (UpsertStream, wait): {ingestPerSecond:F0} points/s");
        foreach (var (api, idsPerSecond) in scrollIdsPerSecond)
        {
            Console.WriteLine($"{api} scroll over every point (pages of 1000, payloads): {idsPerSecond:F0} ids/s");
        }
        Console.WriteLine();
        Console.WriteLine($"| api | clients | queries | QPS | p50 ms | p99 ms | mean ms | recall@{k} |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
        {
            Console.WriteLine($"| {r.Api} | {r.Clients} | {r.Queries} | {r.Qps:F0} | {r.P50Ms:F2} | {r.P99Ms:F2} | {r.MeanMs:F2} | {r.Recall:F3} |");
        }
        Console.WriteLine();
        Console.WriteLine($"JSON: {output}");
    }

    /// <summary>Starts the built server (artifacts/bin/VectorDb.Server/&lt;configuration&gt;) on free loopback ports
    /// (gRPC and REST).</summary>
    private static async Task<(Process Process, string Url, string RestUrl)> StartServerAsync(string dataDirectory)
    {
        string here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string dll = Path.GetFullPath(Path.Combine(here, "..", "..", "VectorDb.Server", Path.GetFileName(here), "VectorDb.Server.dll"));
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is missing; build src/Api/VectorDb.Server in the same configuration first.");
        }
        // gRPC on port 0: the server binds a free port and names it on its "listening on" line. REST needs its port
        // up front (the server routes REST by port number); a port taken in between fails the run with exit code 3.
        string restUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { dll, "--urls", "http://127.0.0.1:0", "--data-dir", dataDirectory, "--rest-urls", restUrl, "--Logging:LogLevel:Default=Warning" })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("listening on ", StringComparison.Ordinal))
                listening.TrySetResult(line["listening on ".Length..]);
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"the server exited with code {process.ExitCode}"));
        process.EnableRaisingEvents = true;
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine($"[server] {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string url = (await listening.Task.WaitAsync(TimeSpan.FromSeconds(60)))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Single(address => new Uri(address).Port != new Uri(restUrl).Port);
        using var probe = new VectorDbClient(url);
        for (var giveUp = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(100))
        {
            try
            {
                await probe.ListCollectionsAsync();
                return (process, url, restUrl);
            }
            catch (RpcException) when (DateTime.UtcNow < giveUp && !process.HasExited)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
