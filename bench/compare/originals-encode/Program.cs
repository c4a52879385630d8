using System.Diagnostics;
using System.Globalization;
using VectorDb;
using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Search;

// What an upsert's one check and one conversion of a float16 original cost (issue 16, docs/architecture.md "An upsert"):
// per vector, the engine's check (VectorIndex.CheckOriginal: length, finiteness, float16 range, and the stored bytes in
// the same pass); per point, the index's write of a prepared record, paired in one process: the span overload
// (UpsertEncoded: the store checks and converts the floats again, as every upsert did before) against the checked one
// (UpsertChecked: the checked bytes copied as they are), alternated over fresh flat indexes, least of 5 passes each;
// and an engine upsert per point (flat collection with float16 originals, batches of 500, wait: false, then one
// checkpoint; least of 2 runs), the figure to compare with an older build's.
// usage: dotnet run -c Release --project bench/compare/originals-encode -- [dimension] [n]
int dimension = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 768;
int n = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
var rng = new SplitMix64(42);
var vectors = new float[n][];
for (int i = 0; i < n; i++)
{
    vectors[i] = new float[dimension];
    for (int j = 0; j < dimension; j++)
    {
        vectors[i][j] = (float)rng.NextGaussian();
    }
}

var options = new VectorIndexOptions(new QuantizerOptions(dimension, 4, 7), Metric.InnerProduct, OriginalsFormat.Float16);
using var encoder = new VectorIndex(options);
var records = new byte[n][];
var originals = new CheckedOriginal[n];
for (int i = 0; i < n; i++)
{
    records[i] = new byte[encoder.Layout.RecordSize];
    encoder.Encode(vectors[i], records[i]);
}
double check = Least(5, () =>
{
    for (int i = 0; i < n; i++)
    {
        if (encoder.CheckOriginal(vectors[i], out originals[i], out _) != OriginalFault.None)
        {
            throw new InvalidOperationException($"vector {i} failed its check");
        }
    }
});
double spans = double.MaxValue, checkedBytes = double.MaxValue;
for (int pass = 0; pass < 5; pass++)
{
    spans = Math.Min(spans, IndexWrites(index =>
    {
        for (int i = 0; i < n; i++)
        {
            index.UpsertEncoded((ulong)i, records[i], vectors[i]);
        }
    }));
    checkedBytes = Math.Min(checkedBytes, IndexWrites(index =>
    {
        for (int i = 0; i < n; i++)
        {
            index.UpsertChecked((ulong)i, records[i], index.StoredOriginal(originals[i].Bytes));
        }
    }));
}

double upsert = double.MaxValue;
for (int run = 0; run < 2; run++)
{
    string directory = Path.Combine(Path.GetTempPath(), "originals-encode-" + Guid.NewGuid().ToString("N"));
    await using (var database = await VectorDatabase.OpenAsync(directory))
    {
        var collection = await database.CreateCollectionAsync("c", new CollectionConfig(dimension, Metric.InnerProduct,
            Originals: OriginalsFormat.Float16, Index: IndexLayout.Flat));
        long start = Stopwatch.GetTimestamp();
        for (int first = 0; first < n; first += 500)
        {
            var batch = new List<PointInput>();
            for (int i = first; i < Math.Min(first + 500, n); i++)
            {
                batch.Add(new PointInput((ulong)i, vectors[i]));
            }
            await collection.UpsertAsync(batch, wait: false);
        }
        await collection.CheckpointAsync();
        upsert = Math.Min(upsert, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
    }
    Directory.Delete(directory, recursive: true);
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"d = {dimension}, n = {n}, per vector: engine's check and float16 bytes {check / n:F2} us; index write per point: span overload {spans / n:F2} us, checked bytes {checkedBytes / n:F2} us; engine upsert {upsert / n:F2} us per point"));

// One pass of index writes into a fresh index (StoredOriginal: the checked bytes belong to the encoder's index).
double IndexWrites(Action<VectorIndex> write)
{
    using var index = new VectorIndex(options);
    index.Reserve(n);
    long start = Stopwatch.GetTimestamp();
    write(index);
    return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
}

static double Least(int passes, Action pass)
{
    double best = double.MaxValue;
    for (int p = 0; p < passes; p++)
    {
        long start = Stopwatch.GetTimestamp();
        pass();
        best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
    }
    return best;
}
