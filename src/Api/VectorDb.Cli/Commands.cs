using Google.Protobuf;
using VectorDb.Client;

namespace VectorDb.Cli;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>The client-side commands. Each returns the process exit code (0 = success); failures throw and are
/// mapped to exit codes in Program.cs.</summary>
internal static class Commands
{
    public const string Usage = """
        usage: vectordb [--server <url>] [--api-key <key>] <command> [arguments]
               vectordb <command> --help                  that command's usage only

          serve [--urls <url>] [--rest-urls <url>] [--data-dir <dir>] [--gpu auto|off|required]
                                                          run the server in this process (Ctrl-C stops it);
                                                          --gpu: exact re-scoring on a CUDA GPU (docs/gpu.md)
                                                          --cluster --silo-port <p> --gateway-port <p> --shared-dir <dir>:
                                                          a cluster node (docs/cluster.md)
          create <name> --dim <d> --metric ip|cosine|l2 [--bits <b>] [--scheme eden-unbiased|eden-biased|tq-mse|tq-prod]
                 [--originals f32|f16|none] [--index flat|ivf]
                                                          names of metrics, schemes etc. in any case (L2, Cosine)
          import <name> <file.fvecs|.csv|.jsonl> [--format fvecs|csv|jsonl] [--batch <n>] [--id-offset <n>]
                                                          ids = row numbers + --id-offset (default 0; jsonl: its
                                                          "id"); an existing point with the same id is replaced
                                                          (a warning says so when the collection is not empty);
                                                          exits 0 only when every row is acknowledged durable
          count <name>                                    prints the count as its last line
          get <name> <id>... [--with-vector]              the points, one JSON line each: id, payload (and
                                                          vector); an id that does not exist: exit 1 (NotFound)
          delete <name> <id>... | delete <name> --filter <json>
                                                          delete by ids or by a filter (durable on exit 0)
          export <name> [--out <file.jsonl>] [--filter <json>] [--with-vectors] [--page <n>]
                                                          the points (all, or those matching --filter) in id
                                                          order, one JSON line each: {"id", "payload", "vector"};
                                                          to stdout or --out; with --with-vectors the file
                                                          re-imports: import <name> <file.jsonl>
          search <name> --vector <x,y,...> --k <k> [--filter <json>] [--with-payload]
                                                          one query: its hits, best first, one JSON line each:
                                                          {"id": .., "score": .., "payload": {..}}
          search <name> --queries <file.fvecs> --k <k> --json <out.json> [--filter <json>] [--with-payload]
                 [--exact] [--oversampling <x>] [--nprobe <n>] [--rerank none|fixed|auto]
                                                          writes {"results": [[id, ...], ...], "scores": [[..]]}
                                                          in query order (and "payloads" with --with-payload)
          info <name>                                     collection configuration and sizes (JSON)
          list                                            collection names, one per line; a damaged collection
                                                          as "<name>\tDAMAGED: <reason>"
          drop <name>                                     delete a collection and its files (also a damaged one)
          salvage <name> --data-dir <dir> [--into <new-name>] [--drop-damaged]
                                                          offline repair of a damaged collection, with the server
                                                          stopped: copies every intact point into <new-name>
                                                          (default <name>-salvaged), reports what was lost, and
                                                          with --drop-damaged deletes the damaged one

        --filter: a vectordb.v1 Filter as JSON, e.g. '{"must": [{"field": {"key": "lang", "match": {"keyword": "en"}}}]}'
          (conditions: field {key, match {keyword|integer|boolean|keywords|integers}, range {gt, gte, lt, lte}},
          hasId, filter; lists: must, should, mustNot).
        Options after the command take '--name value' or '--name=value'.
        --server defaults to $VECTORDB_SERVER or http://127.0.0.1:6334; --api-key to $VECTORDB_API_KEY.
        exit codes: 0 ok, 1 the server refused the call, 2 usage error, 3 server unreachable, 4 bad input file.
        """;

    /// <summary>The usage lines of one command (its entries in <see cref="Usage"/> with their continuation lines,
    /// then the notes at the end), or null for an unknown command.</summary>
    public static string? HelpFor(string command)
    {
        string[] lines = Usage.Split('\n');
        int commandsStart = Array.IndexOf(lines, "") + 1;                      // after the "usage:" lines
        int notesStart = Array.IndexOf(lines, "", commandsStart) + 1;          // after the command list
        var picked = new List<string>();
        bool inCommand = false;
        foreach (string line in lines[commandsStart..(notesStart - 1)])
        {
            if (line.Length > 2 && line[2] != ' ')                             // a command's first line
            {
                string entry = line[2..];
                inCommand = entry == command || entry.StartsWith(command + " ", StringComparison.Ordinal);
            }
            if (inCommand)
            {
                picked.Add(line);
            }
        }
        return picked.Count == 0 ? null
            : $"usage: vectordb [--server <url>] [--api-key <key>]\n{string.Join('\n', picked)}\n\n{string.Join('\n', lines[notesStart..])}";
    }

    public static async Task<int> CreateAsync(CliArgs args, VectorDbClient client)
    {
        string name = args.Positional1(0, "a collection name");
        int dimension = args.Int("dim");
        var distance = args.Choice<Distance>("metric", fallback: null,
            ("ip|dot", Distance.Dot), ("cosine", Distance.Cosine), ("l2|euclid", Distance.Euclid));
        int bits = args.Int("bits", 0);
        var scheme = args.Choice("scheme", QuantizationScheme.Default,
            ("eden-unbiased", QuantizationScheme.EdenUnbiased), ("eden-biased", QuantizationScheme.EdenBiased),
            ("tq-mse", QuantizationScheme.TqMse), ("tq-prod", QuantizationScheme.TqProd));
        var originals = args.Choice("originals", OriginalsStorage.OriginalsDefault,
            ("f32", OriginalsStorage.OriginalsFloat32), ("f16", OriginalsStorage.OriginalsFloat16),
            ("none", OriginalsStorage.OriginalsNone));
        var index = args.Choice("index", IndexType.IndexAuto, ("flat", IndexType.IndexFlat), ("ivf", IndexType.IndexIvf));
        args.RejectUnknown();
        if (dimension < 1 || bits < 0)
        {
            throw new UsageException("--dim must be at least 1 and --bits 1..8.");
        }
        await client.CreateCollectionAsync(name, (ulong)dimension, distance, (uint)bits, scheme, originals, index);
        Console.WriteLine($"created {name}");
        return 0;
    }

    public static async Task<int> ImportAsync(CliArgs args, VectorDbClient client)
    {
        string name = args.Positional1(0, "a collection name");
        string path = args.Positional1(1, "a file to import");
        string format = VectorFiles.FormatOf(path, args.Optional("format"));
        int batchSize = args.Int("batch", 1000);
        ulong idOffset = args.ULong("id-offset", 0);
        bool quiet = args.Flag("quiet");
        args.RejectUnknown();
        if (batchSize < 1)
        {
            throw new UsageException("--batch must be at least 1.");
        }
        if (idOffset > 0 && format == "jsonl")
        {
            throw new UsageException("--id-offset applies to fvecs and csv rows; a jsonl file gives each point its \"id\".");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist.", path);
        }
        long total = VectorFiles.CountRows(path, format);
        ulong existing = await client.CountAsync(name);
        if (existing > 0)
        {
            Console.Error.WriteLine(format == "jsonl"
                ? $"warning: {name} already holds {existing} points; points with the same ids as the file's are replaced."
                : $"warning: {name} already holds {existing} points; rows get ids {idOffset}..{idOffset + (ulong)Math.Max(total - 1, 0)} and replace points with those ids (--id-offset {existing} would add them after ids 0..{existing - 1}).");
        }
        var progress = new ProgressBar($"import {Path.GetFileName(path)}", total, enabled: !quiet);
        var result = await client.UpsertStreamAsync(name, VectorFiles.Read(path, format, idOffset).Chunk(batchSize), progress);
        progress.Report(total);
        progress.Done();
        if (result.Status != UpdateStatus.Completed)
        {
            Console.Error.WriteLine($"error: the server acknowledged the import with status {result.Status}, not COMPLETED (durable).");
            return 1;
        }
        Console.WriteLine($"imported {total} points into {name} (durable)");
        return 0;
    }

    public static async Task<int> CountAsync(CliArgs args, VectorDbClient client)
    {
        string name = args.Positional1(0, "a collection name");
        args.RejectUnknown();
        Console.WriteLine(await client.CountAsync(name));
        return 0;
    }

    public static async Task<int> SearchAsync(CliArgs args, VectorDbClient client)
    {
        string name = args.Positional1(0, "a collection name");
        int k = args.Int("k");
        var parameters = new SearchParams
        {
            Exact = args.Flag("exact"),
            Oversampling = args.Double("oversampling", 0),
            Nprobe = (uint)args.Int("nprobe", 0),
            Rerank = args.Choice("rerank", RerankMode.RerankDefault,
                ("none", RerankMode.RerankNone), ("fixed", RerankMode.RerankFixed), ("auto", RerankMode.RerankAuto)),
        };
        if (k < 1)
        {
            throw new UsageException("--k must be at least 1.");
        }
        if (args.Optional("vector") is not null)
        {
            return await PointCommands.SearchOneAsync(args, client, name, k, parameters);
        }
        string queriesPath = args.Required("queries");
        string output = args.Required("json");
        var filter = PointCommands.Filter(args);
        bool withPayload = args.Flag("with-payload");
        bool quiet = args.Flag("quiet");
        args.RejectUnknown();
        var queries = VectorFiles.ReadFvecsVectors(queriesPath);
        var results = new List<IReadOnlyList<ScoredPoint>>(queries.Count);
        var progress = new ProgressBar("search", queries.Count, enabled: !quiet);
        foreach (var chunk in queries.Chunk(100))
        {
            results.AddRange(await client.SearchBatchAsync(name, chunk.Select(q => VectorDbClient.SearchRequest("", q, (ulong)k, filter, withPayload, parameters))));
            progress.Report(results.Count);
        }
        progress.Done();
        ResultsFile.Write(output, results, withPayload);
        Console.WriteLine($"wrote {results.Count} result lists to {output}");
        return 0;
    }

    public static async Task<int> InfoAsync(CliArgs args, VectorDbClient client)
    {
        string name = args.Positional1(0, "a collection name");
        args.RejectUnknown();
        var info = await client.GetCollectionAsync(name);
        Console.WriteLine(new JsonFormatter(JsonFormatter.Settings.Default.WithFormatDefaultValues(true)).Format(info));
        return 0;
    }

    public static async Task<int> ListAsync(CliArgs args, VectorDbClient client)
    {
        args.RejectUnknown();
        var response = await client.Collections.ListAsync(new ListCollectionsRequest());
        foreach (var collection in response.Collections)
        {
            Console.WriteLine(collection.Damage is { Length: > 0 } damage ? $"{collection.Name}\tDAMAGED: {damage}" : collection.Name);
        }
        return 0;
    }

    public static async Task<int> DropAsync(CliArgs args, VectorDbClient client)
    {
        string name = args.Positional1(0, "a collection name");
        args.RejectUnknown();
        await client.DeleteCollectionAsync(name);
        Console.WriteLine($"dropped {name}");
        return 0;
    }
}
