using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using VectorDb;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

// What encoding a float16 original twice costs on upsert: the engine's stored bytes (OriginalBytes.Encode, reached by
// reflection: it is internal) and the index's float16 store (OriginalVectorStore.Upsert: conversion, norm, live bit),
// each per vector (least time of 5 passes over n seeded Gaussian vectors), against an engine upsert per point (flat
// collection with float16 originals, batches of 500, wait: false, then one checkpoint; least of 2 runs).
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

var encode = typeof(VectorCollection).Assembly.GetType("VectorDb.OriginalBytes", throwOnError: true)!
    .GetMethod("Encode", BindingFlags.Public | BindingFlags.Static)!.CreateDelegate<EncodeOriginal>();
double storageBytes = Least(5, () =>
{
    foreach (float[] vector in vectors)
    {
        encode(vector, OriginalsFormat.Float16);
    }
});
var store = new OriginalVectorStore(dimension, OriginalPrecision.Float16);
double indexStore = Least(5, () =>
{
    for (int i = 0; i < n; i++)
    {
        store.Upsert(i, vectors[i]);
    }
});
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
    $"d = {dimension}, n = {n}, per vector: engine's stored float16 bytes {storageBytes / n:F2} us, index's float16 store {indexStore / n:F2} us; engine upsert {upsert / n:F2} us per point"));

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

internal delegate byte[] EncodeOriginal(ReadOnlySpan<float> vector, OriginalsFormat format);
