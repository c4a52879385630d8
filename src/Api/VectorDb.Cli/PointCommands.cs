using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using VectorDb.Client;

namespace VectorDb.Cli;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>Commands on individual points: get, delete (ids or a filter), and search for one vector printing hits.
/// Output is JSON lines on stdout, one point or hit per line, so that it pipes into jq or a file.</summary>
internal static class PointCommands
{
    public static async Task<int> GetAsync(CliArgs args, VectorDbClient client)
    {
        string name = args.Positional1(0, "a collection name");
        var ids = Ids(args);
        bool withVector = args.Flag("with-vector");
        args.RejectUnknown();
        foreach (var point in await client.RetrieveAsync(name, ids, withPayload: true, withVectors: withVector))
        {
            Console.WriteLine(Line(point.Id, null, point.Payload, point.Vector));
        }
        return 0;
    }

    public static async Task<int> DeleteAsync(CliArgs args, VectorDbClient client)
    {
        string name = args.Positional1(0, "a collection name");
        var filter = Filter(args);
        var ids = args.Positional.Count > 1 ? Ids(args) : [];
        args.RejectUnknown();
        if ((filter is null) == (ids.Count == 0))
        {
            throw new UsageException("delete takes ids or --filter <json>, not both and not neither.");
        }
        var result = filter is null
            ? await client.DeleteAsync(name, ids.Select(id => id.ToProto()))
            : await client.DeleteAsync(name, filter);
        Console.WriteLine($"deleted from {name} ({result.Status})");
        return 0;
    }

    /// <summary><c>export</c>: the collection's points (or those matching --filter) in id order, paged with the Scroll
    /// RPC, one JSON line each in the form <c>import --format jsonl</c> reads back (with --with-vectors).</summary>
    public static async Task<int> ExportAsync(CliArgs args, VectorDbClient client)
    {
        string name = args.Positional1(0, "a collection name");
        var filter = Filter(args);
        bool withVectors = args.Flag("with-vectors");
        string? outPath = args.Optional("out");
        int pageSize = args.Int("page", 1000);
        args.RejectUnknown();
        if (pageSize < 1)
        {
            throw new UsageException("--page must be at least 1.");
        }
        using var file = outPath is null ? null : new StreamWriter(outPath);
        TextWriter output = file ?? Console.Out;
        long written = 0;
        PointId? offset = null;
        do
        {
            var page = await client.ScrollAsync(name, offset, (uint)pageSize, filter, withPayload: true, withVectors);
            foreach (var point in page.Result)
            {
                await output.WriteLineAsync(Line(PointKey.FromProto(point.Id), null, PayloadJson.ToJson(point.Payload), point.Vector?.Data.ToArray()));
                written++;
            }
            offset = page.NextPageOffset;
        }
        while (offset is not null);
        await output.FlushAsync();
        if (outPath is not null)
        {
            Console.Error.WriteLine($"exported {written} points of {name} to {outPath}");
        }
        return 0;
    }

    /// <summary><c>search --vector</c>: one query, its hits as JSON lines (id, score, payload with --with-payload).</summary>
    public static async Task<int> SearchOneAsync(CliArgs args, VectorDbClient client, string name, int k, SearchParams parameters)
    {
        float[] vector = ParseVector(args.Required("vector"));
        var filter = Filter(args);
        bool withPayload = args.Flag("with-payload");
        args.RejectUnknown();
        foreach (var hit in await client.QueryAsync(name, vector, (ulong)k, filter, withPayload, parameters))
        {
            Console.WriteLine(Line(hit.Id, hit.Score, hit.Payload, hit.Vector));
        }
        return 0;
    }

    /// <summary>The --filter option: a vectordb.v1 Filter in its JSON form, e.g.
    /// {"must": [{"field": {"key": "lang", "match": {"keyword": "en"}}}]}.</summary>
    public static Filter? Filter(CliArgs args)
    {
        string? json = args.Optional("filter");
        if (json is null)
        {
            return null;
        }
        try
        {
            return JsonParser.Default.Parse<Filter>(json);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new UsageException($"--filter is not a filter: {e.Message} (example: {{\"must\": [{{\"field\": {{\"key\": \"lang\", \"match\": {{\"keyword\": \"en\"}}}}}}]}}).");
        }
    }

    /// <summary>The ids after the collection name: unsigned integers or UUIDs.</summary>
    private static List<PointKey> Ids(CliArgs args)
    {
        if (args.Positional.Count < 2)
        {
            throw new UsageException($"{args.Command} needs at least one id after the collection name.");
        }
        return [.. args.Positional.Skip(1).Select(text =>
            ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong number) ? number
            : Guid.TryParse(text, out Guid uuid) ? (PointKey)uuid
            : throw new UsageException($"'{text}' is not a point id (an unsigned integer or a UUID)."))];
    }

    private static float[] ParseVector(string text) =>
        [.. text.Trim('[', ']', ' ').Split(',').Select(cell =>
            float.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float value) ? value
            : throw new UsageException($"--vector must be comma-separated numbers, got '{cell}'."))];

    /// <summary>One output line: {"id": 1 or "uuid", "score": s, "payload": {...}, "vector": [...]} (absent parts left out).</summary>
    private static string Line(PointKey id, float? score, JsonObject? payload, float[]? vector)
    {
        var line = new JsonObject { ["id"] = id.IsUuid ? JsonValue.Create(id.ToString()) : JsonValue.Create(id.Number) };
        if (score is { } s)
        {
            line["score"] = s;
        }
        if (payload is not null)
        {
            line["payload"] = payload;
        }
        if (vector is not null)
        {
            line["vector"] = new JsonArray([.. vector.Select(v => (JsonNode?)v)]);
        }
        return line.ToJsonString();
    }
}
