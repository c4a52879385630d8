using System.Text.Json.Nodes;
using VectorDb;

namespace Samples;

/// <summary>docs/api.md's "Embedded" snippet: the database inside the application's process.</summary>
internal static class EmbeddedSample
{
    public static async Task RunAsync()
    {
        float[] embedding = [0.9f, 0.1f, 0.0f, 0.1f]; // an embedding model's output in an application
        float[] query = [1.0f, 0.0f, 0.0f, 0.0f];
        // --8<-- [start:embedded]
        await using var db = await VectorDatabase.OpenAsync("./data");               // rebuilds every collection's index
        var docs = await db.CreateCollectionAsync("docs", new CollectionConfig(
            Dimension: embedding.Length, Metric: Metric.Cosine));                 // eden-unbiased, 4 bits, float32 originals
        await docs.UpsertAsync([new PointInput(1, embedding, new JsonObject { ["lang"] = "en", ["year"] = 2024 })]);
        var hits = await docs.SearchAsync(new SearchRequest(query, K: 10)
        {
            Filter = new Filter(Must: [new MatchCondition("lang", FieldValue.Of("en")), new RangeCondition("year", Gte: 2020)]),
            WithPayload = true,
        });
        foreach (var hit in hits)
            Console.WriteLine($"embedded: {hit.Id} {hit.Score:F3} {hit.Payload?.ToJsonString()}");
        // --8<-- [end:embedded]
    }
}
