using System.Diagnostics;
using System.Globalization;
using VectorDb.Datasets;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

// Flat 4-bit scan (with the residual code lists a collection of this size trains, where the build has them), one query
// per call and four per call (SearchBatch), no re-rank, k = 10, one thread. Each query is
// timed R times and its least time kept: on a shared machine the least of several tries estimates the cost without
// the other tenants' preemptions, which a mean or a QPS over wall time does not. Prints one JSON line.
// usage: ScanAb <dataset dir> <queries> <repetitions> <format: 1|2> <label>
var data = Dataset.Load(args[0]);
int queries = int.Parse(args[1], CultureInfo.InvariantCulture), repetitions = int.Parse(args[2], CultureInfo.InvariantCulture);
int format = int.Parse(args[3], CultureInfo.InvariantCulture);
var quantizer = new QuantizerOptions(data.Dimension, 4, 42);
#if BEFORE_FORMAT2
var options = new VectorIndexOptions(quantizer, ExactMetric.InnerProduct, OriginalPrecision.Float32, IndexKind.Flat);
#else
var options = new VectorIndexOptions(quantizer, ExactMetric.InnerProduct, OriginalPrecision.Float32, IndexKind.Flat, CodeFormat: format);
#endif
using var index = new VectorIndex(options);
for (int i = 0; i < data.Base.Count; i++)
{
    index.Upsert((ulong)i, data.Base.Row(i));
}
#if !BEFORE_CODE_LISTS
if (index.CodeListsDue())
{
    index.TrainCodeLists(); // what a collection of the engine has at this size (residual code lists, all scanned)
}
#endif
var search = new SearchOptions(10, RerankMode.None);
var hits = new SearchHit[40];
var found = new int[4];
var statistics = new SearchStatistics[4];
var batch = new float[4 * data.Dimension];
double one = 0, four = 0;
for (int q = 0; q < queries; q++)
{
    double bestOne = double.MaxValue, bestFour = double.MaxValue;
    int first = (4 * q) % (data.Queries.Count - 3);
    for (int j = 0; j < 4; j++)
    {
        data.Queries.Row(first + j).CopyTo(batch.AsSpan(j * data.Dimension));
    }
    for (int r = 0; r < repetitions; r++)
    {
        long start = Stopwatch.GetTimestamp();
        index.Search(data.Queries.Row(q % data.Queries.Count), search, hits.AsSpan(0, 10), out _);
        long middle = Stopwatch.GetTimestamp();
        index.SearchBatch(batch, search, hits, found, statistics);
        long end = Stopwatch.GetTimestamp();
        bestOne = Math.Min(bestOne, (middle - start) * 1e6 / Stopwatch.Frequency);
        bestFour = Math.Min(bestFour, (end - middle) * 1e6 / Stopwatch.Frequency);
    }
    one += bestOne;
    four += bestFour;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"label\":\"{args[4]}\",\"format\":{format},\"queries\":{queries},\"repetitions\":{repetitions},\"one_query_us\":{one / queries:F1},\"four_per_call_us\":{four / queries:F1},\"one_query_qps\":{1e6 * queries / one:F0},\"four_per_call_qps\":{4e6 * queries / four:F0},\"load\":\"{File.ReadAllText("/proc/loadavg").Split(' ')[0]}\"}}"));
