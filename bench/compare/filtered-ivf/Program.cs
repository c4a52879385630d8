using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using VectorDb;
using VectorDb.Datasets;

// Filtered search on an IVF collection through the Engine: the data set's base vectors with payload g = i mod 10,
// lists trained, then 100 queries (k = 10, nprobe 8, no re-rank) without a filter and with g == 3, twice each; prints
// the median and 10th percentile of the per-query times (µs).
// usage: dotnet run -c Release --project bench/compare/filtered-ivf -- <dataset dir>
var data = Dataset.Load(args[0]);
string directory = Path.Combine(Path.GetTempPath(), "filtered-ivf-" + Guid.NewGuid().ToString("N"));
await using (var database = await VectorDatabase.OpenAsync(directory))
{
    var collection = await database.CreateCollectionAsync("c", new CollectionConfig(data.Dimension));
    for (int start = 0; start < data.Base.Count; start += 2000)
    {
        var batch = new List<PointInput>();
        for (int i = start; i < Math.Min(start + 2000, data.Base.Count); i++)
        {
            batch.Add(new PointInput((ulong)i, data.Base.Row(i).ToArray(), new JsonObject { ["g"] = i % 10 }));
        }
        await collection.UpsertAsync(batch, wait: false);
    }
    await collection.TrainIndexAsync();
    var filter = new Filter(Must: [new MatchCondition("g", FieldValue.Of(3))]);
    foreach (var (label, condition) in new[] { ("no filter", (Filter?)null), ("g == 3", filter), ("no filter", null), ("g == 3", filter) })
    {
        const int queries = 100;
        var times = new List<double>();
        for (int q = 0; q < queries; q++)
        {
            var request = new SearchRequest(data.Queries.Row(q % data.Queries.Count).ToArray(), 10)
            {
                Filter = condition,
                Rerank = Reranking.None,
                NProbe = 8,
            };
            long start = Stopwatch.GetTimestamp();
            await collection.SearchAsync(request);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: median {times[queries / 2]:F0} us, p10 {times[queries / 10]:F0} us"));
    }
}
Directory.Delete(directory, recursive: true);
