using System.Text.Json;
using VectorDb.Client;

namespace VectorDb.Cli;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>The file <c>search --queries ... --json out.json</c> writes: {"results": [[id, ...], ...], "scores":
/// [[score, ...], ...]} in query order, plus "payloads": [[{..} or null, ...], ...] when payloads were asked for.
/// Numeric ids are JSON numbers, UUIDs strings.</summary>
internal static class ResultsFile
{
    public static void Write(string path, IReadOnlyList<IReadOnlyList<ScoredPoint>> results, bool withPayload)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        WriteLists(json, "results", results, (writer, hit) =>
        {
            if (hit.Id.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.Uuid)
            {
                writer.WriteStringValue(hit.Id.Uuid);
            }
            else
            {
                writer.WriteNumberValue(hit.Id.Num);
            }
        });
        WriteLists(json, "scores", results, (writer, hit) => writer.WriteNumberValue(hit.Score));
        if (withPayload)
        {
            WriteLists(json, "payloads", results, (writer, hit) =>
            {
                if (PayloadJson.ToJson(hit.Payload) is { } payload)
                {
                    payload.WriteTo(writer);
                }
                else
                {
                    writer.WriteNullValue();
                }
            });
        }
        json.WriteEndObject();
    }

    private static void WriteLists(Utf8JsonWriter json, string name, IReadOnlyList<IReadOnlyList<ScoredPoint>> results,
        Action<Utf8JsonWriter, ScoredPoint> writeOne)
    {
        json.WriteStartArray(name);
        foreach (var hits in results)
        {
            json.WriteStartArray();
            foreach (var hit in hits)
            {
                writeOne(json, hit);
            }
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }
}
