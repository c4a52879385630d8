using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace VectorDb.Cli;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>
/// Streaming readers of the import formats. Every reader yields points in file order.
/// <list type="bullet">
/// <item>fvecs (TEXMEX): per row an int32 dimension then that many float32, little endian; id = row number (plus the
/// import's --id-offset).</item>
/// <item>csv: one vector per line, comma-separated numbers; a non-numeric first line is a header and skipped;
/// id = row number (header excluded, plus --id-offset).</item>
/// <item>jsonl: one JSON object per line: {"id": 7, "vector": [..], "payload": {..}}; id defaults to the row number.</item>
/// </list>
/// Malformed input raises <see cref="FormatException"/> naming the file and row.
/// </summary>
internal static class VectorFiles
{
    public static string FormatOf(string path, string? format) =>
        (format ?? Path.GetExtension(path).TrimStart('.')).ToLowerInvariant() switch
        {
            "fvecs" => "fvecs",
            "csv" => "csv",
            "jsonl" or "ndjson" => "jsonl",
            var other => throw new UsageException($"cannot import '{path}': unknown format '{other}'; use .fvecs, .csv or .jsonl (or --format)."),
        };

    /// <summary>Rows in the file (for the progress bar).</summary>
    public static long CountRows(string path, string format)
    {
        if (format == "fvecs")
        {
            using var stream = File.OpenRead(path);
            Span<byte> header = stackalloc byte[4];
            if (stream.Length == 0)
            {
                return 0;
            }
            stream.ReadExactly(header);
            int d = BinaryPrimitives.ReadInt32LittleEndian(header);
            return d > 0 ? stream.Length / (4 + 4L * d) : 0;
        }
        long rows = File.ReadLines(path).Count(line => line.Trim().Length > 0);
        return format == "csv" && rows > 0 && !IsNumericCsv(File.ReadLines(path).First(l => l.Trim().Length > 0)) ? rows - 1 : rows;
    }

    /// <summary>The file's points; fvecs and csv rows get ids <paramref name="idOffset"/> + row number.</summary>
    public static IEnumerable<PointStruct> Read(string path, string format, ulong idOffset = 0) => format switch
    {
        "fvecs" => ReadFvecs(path, idOffset),
        "csv" => ReadCsv(path, idOffset),
        _ => ReadJsonl(path),
    };

    /// <summary>Query vectors of an fvecs file.</summary>
    public static List<float[]> ReadFvecsVectors(string path) => [.. ReadFvecs(path, 0).Select(p => p.Vector.Data.ToArray())];

    private static IEnumerable<PointStruct> ReadFvecs(string path, ulong idOffset)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 20);
        var header = new byte[4];
        for (ulong row = 0; ; row++)
        {
            int got = stream.ReadAtLeast(header, 4, throwOnEndOfStream: false);
            if (got == 0)
            {
                yield break;
            }
            if (got < 4)
            {
                throw new FormatException($"{path}: row {row} is truncated (partial dimension header).");
            }
            int d = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (d is < 1 or > 1 << 20)
            {
                throw new FormatException($"{path}: row {row} declares dimension {d}; not an fvecs file?");
            }
            var bytes = new byte[4 * d];
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
            {
                throw new FormatException($"{path}: row {row} is truncated (expected {d} floats).");
            }
            var vector = new float[d];
            for (int j = 0; j < d; j++)
            {
                vector[j] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * j));
            }
            yield return Client.VectorDbClient.Point(checked(idOffset + row), vector);
        }
    }

    private static IEnumerable<PointStruct> ReadCsv(string path, ulong idOffset)
    {
        ulong row = 0;
        bool first = true;
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (first && !IsNumericCsv(line))
            {
                first = false;
                continue; // header
            }
            first = false;
            var cells = line.Split(',');
            var vector = new float[cells.Length];
            for (int j = 0; j < cells.Length; j++)
            {
                if (!float.TryParse(cells[j].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out vector[j]))
                {
                    throw new FormatException($"{path}: line {lineNumber}, column {j + 1}: '{cells[j]}' is not a number.");
                }
            }
            yield return Client.VectorDbClient.Point(checked(idOffset + row++), vector);
        }
    }

    /// <summary>A jsonl "id": an unsigned integer or a UUID string.</summary>
    private static PointId JsonlId(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.Number => Client.VectorDbClient.Id(id.GetUInt64()),
        JsonValueKind.String when Guid.TryParse(id.GetString(), out Guid uuid) => Client.VectorDbClient.Id(uuid),
        _ => throw new FormatException($"\"id\" must be an unsigned integer or a UUID string, got {id.GetRawText()}"),
    };

    private static bool IsNumericCsv(string line) =>
        line.Split(',').All(cell => double.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    private static IEnumerable<PointStruct> ReadJsonl(string path)
    {
        ulong row = 0;
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0)
            {
                continue;
            }
            PointStruct point;
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                var id = root.TryGetProperty("id", out var idElement) ? JsonlId(idElement) : Client.VectorDbClient.Id(row);
                if (!root.TryGetProperty("vector", out var vectorElement) || vectorElement.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException("missing \"vector\": [numbers]");
                }
                var vector = vectorElement.EnumerateArray().Select(e => e.GetSingle()).ToArray();
                point = Client.VectorDbClient.Point(id, vector);
                if (root.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in payload.EnumerateObject())
                    {
                        point.Payload[property.Name] = ToValue(property.Value);
                    }
                }
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                throw new FormatException($"{path}: line {lineNumber}: {e.Message}", e);
            }
            row++;
            yield return point;
        }
    }

    private static Value ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => new Value { StringValue = element.GetString() },
        JsonValueKind.True => new Value { BoolValue = true },
        JsonValueKind.False => new Value { BoolValue = false },
        JsonValueKind.Number when element.TryGetInt64(out long integer) => new Value { IntegerValue = integer },
        JsonValueKind.Number => new Value { DoubleValue = element.GetDouble() },
        JsonValueKind.Object => new Value { StructValue = ToStruct(element) },
        JsonValueKind.Array => new Value { ListValue = ToList(element) },
        _ => new Value { NullValue = NullValue.NullValue },
    };

    private static Struct ToStruct(JsonElement element)
    {
        var result = new Struct();
        foreach (var property in element.EnumerateObject())
        {
            result.Fields[property.Name] = ToValue(property.Value);
        }
        return result;
    }

    private static ListValue ToList(JsonElement element)
    {
        var result = new ListValue();
        result.Values.AddRange(element.EnumerateArray().Select(ToValue));
        return result;
    }
}
