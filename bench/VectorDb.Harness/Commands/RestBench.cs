using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using VectorDb.Datasets;

namespace VectorDb.Harness.Commands;

/// <summary>serve-bench's REST side: Qdrant's query route with plain HTTP/1.1 JSON (one HttpClient per client, as a
/// REST client library would), and a scroll over every point.</summary>
internal static class RestBench
{
    /// <summary>N clients issuing single queries (<c>POST /collections/{name}/points/query</c>) for a fixed time.</summary>
    public static async Task<ServeBenchCommand.ServeRun> MeasureAsync(string url, string collection, Dataset dataset, int clients, int seconds,
        int warmup, int k, bool noRerank)
    {
        var measureFrom = DateTime.UtcNow.AddSeconds(warmup);
        var measureTo = measureFrom.AddSeconds(seconds);
        string parameters = noRerank ? """, "params": {"quantization": {"rescore": false}}""" : "";
        var bodies = Enumerable.Range(0, dataset.Queries.Count).Select(q =>
            $$"""{"query": [{{string.Join(",", dataset.Queries.Row(q).ToArray().Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}}], "limit": {{k}}{{parameters}}}""").ToArray();
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var latencies = new List<double>();
            int found = 0, asked = 0;
            for (int i = c * 7; DateTime.UtcNow < measureTo; i++)
            {
                int q = i % dataset.Queries.Count;
                long t0 = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync($"/collections/{collection}/points/query",
                    new StringContent(bodies[q], Encoding.UTF8, "application/json"));
                string json = await response.Content.ReadAsStringAsync();
                double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                response.EnsureSuccessStatusCode();
                if (DateTime.UtcNow >= measureFrom)
                {
                    latencies.Add(ms);
                    var truth = dataset.TrueNeighbours[q].Take(k).ToHashSet();
                    var points = JsonNode.Parse(json)!["result"]!["points"]!.AsArray();
                    found += points.Count(p => truth.Contains(p!["id"]!.GetValue<int>()));
                    asked += k;
                }
            }
            return (latencies, found, asked);
        })));
        return ServeBenchCommand.Summarise("rest", clients, seconds, k, perClient);
    }

    /// <summary>Scrolls through every point in pages of 1000 (payloads on, vectors off); returns ids per second.</summary>
    public static async Task<double> ScrollAsync(string url, string collection, int expected)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var clock = Stopwatch.StartNew();
        int seen = 0;
        JsonNode? offset = null;
        do
        {
            var body = new JsonObject { ["limit"] = 1000, ["offset"] = offset?.DeepClone() };
            using var response = await http.PostAsync($"/collections/{collection}/points/scroll",
                new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            var result = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["result"]!;
            seen += result["points"]!.AsArray().Count;
            offset = result["next_page_offset"];
        }
        while (offset is not null);
        double idsPerSecond = seen / clock.Elapsed.TotalSeconds;
        if (seen != expected)
        {
            throw new InvalidOperationException($"the scroll saw {seen} points, expected {expected}.");
        }
        Console.Error.WriteLine($"rest scroll: {seen} ids, {idsPerSecond:F0} ids/s");
        return idsPerSecond;
    }
}
