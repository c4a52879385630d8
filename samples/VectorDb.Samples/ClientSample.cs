using System.Text.Json.Nodes;
using VectorDb;
using VectorDb.Client;

namespace Samples;

/// <summary>The .NET client against a running server (README, "Use it from your app"); the raw proto calls stay on
/// <c>client.Points</c> and <c>client.Collections</c>.</summary>
internal static class ClientSample
{
    public static async Task RunAsync(string address)
    {
        // --8<-- [start:client]
        using var client = new VectorDbClient(address);                                // e.g. http://127.0.0.1:6334
        await client.CreateCollectionAsync("sample", dimension: 3, Metric.Cosine);
        await client.UpsertAsync("sample", [
            VectorDbClient.Point(1, [1f, 0, 0], new JsonObject { ["lang"] = "en", ["height"] = 185.0 }),
            VectorDbClient.Point(2, [0f, 1, 0], new JsonObject { ["lang"] = "fr" }),
        ]);
        var hits = await client.QueryAsync("sample", new[] { 1f, 0.1f, 0 }, limit: 2);       // typed: PointKey ids, JSON payloads
        foreach (var hit in hits)
            Console.WriteLine($"client: {hit.Id} {hit.Score:F3} {hit.Payload?.ToJsonString()}");
        // --8<-- [end:client]
        await client.DeleteCollectionAsync("sample");
    }
}
