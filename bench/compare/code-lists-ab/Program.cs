using System.Diagnostics;
using System.Globalization;
using VectorDb;
using VectorDb.Datasets;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

// What residual code lists cost the flat 4-bit scan, in one process: two indexes of the same vectors (b = 4, inner
// product, seed 42, originals kept), one with the mean-centred codes only and one with <lists> code lists, searched
// query by query alternately (k = 10, no re-rank, one thread), one query per call and four per call (SearchBatch); each
// timing is the least of <tries> tries, so other tenants' preemptions drop out and both sides see the same machine
// state. Prints three rounds of per-query means (µs) and their ratio, with the load average.
// usage: dotnet run -c Release --project bench/compare/code-lists-ab -- <dataset dir> <queries> <tries> <lists>
var data = Dataset.Load(args[0]);
int queries = int.Parse(args[1], CultureInfo.InvariantCulture), tries = int.Parse(args[2], CultureInfo.InvariantCulture);
int lists = int.Parse(args[3], CultureInfo.InvariantCulture);
var options = new VectorIndexOptions(new QuantizerOptions(data.Dimension, 4, 42), Metric.InnerProduct,
    OriginalsFormat.Float32, IndexLayout.Flat, CodeFormat: 2);
using var plain = new VectorIndex(options);
using var listed = new VectorIndex(options);
for (int i = 0; i < data.Base.Count; i++)
{
    plain.Upsert((ulong)i, data.Base.Row(i));
    listed.Upsert((ulong)i, data.Base.Row(i));
}
listed.TrainCodeLists(lists);
var search = new SearchOptions(10, Reranking.None);
var hits = new SearchHit[40];
var found = new int[4];
var statistics = new SearchStatistics[4];
var batch = new float[4 * data.Dimension];
for (int round = 1; round <= 3; round++)
{
    double plainOne = 0, listedOne = 0, plainFour = 0, listedFour = 0;
    for (int q = 0; q < queries; q++)
    {
        int first = (4 * q) % (data.Queries.Count - 3);
        for (int j = 0; j < 4; j++)
        {
            data.Queries.Row(first + j).CopyTo(batch.AsSpan(j * data.Dimension));
        }
        float[] query = data.Queries.Row(q % data.Queries.Count).ToArray();
        plainOne += Least(() => plain.Search(query, search, hits.AsSpan(0, 10), out _));
        listedOne += Least(() => listed.Search(query, search, hits.AsSpan(0, 10), out _));
        plainFour += Least(() => plain.SearchBatch(batch, search, hits, found, statistics));
        listedFour += Least(() => listed.SearchBatch(batch, search, hits, found, statistics));
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round}: one query: mean {plainOne / queries:F1} us, {lists} lists {listedOne / queries:F1} us, ratio {listedOne / plainOne:F3}; four per call: mean {plainFour / queries:F1} us, lists {listedFour / queries:F1} us, ratio {listedFour / plainFour:F3}; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
}

double Least(Action action)
{
    double least = double.MaxValue;
    for (int t = 0; t < tries; t++)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        least = Math.Min(least, (Stopwatch.GetTimestamp() - start) * 1e6 / Stopwatch.Frequency);
    }
    return least;
}
