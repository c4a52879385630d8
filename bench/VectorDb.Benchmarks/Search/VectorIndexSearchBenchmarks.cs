using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using VectorDb.Datasets;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Benchmarks.Search;

/// <summary>
/// One whole query through <see cref="VectorIndex"/> (rotate, tables, scan, re-rank) on the GloVe slice shipped in
/// datasets/ (20,000 × 100, inner product). Correctness lives in tests/VectorDb.Index.Tests/Search. The point of
/// [MemoryDiagnoser] here: a warm query allocates 0 B (hits go to a caller buffer).
/// </summary>
[MemoryDiagnoser]
public class VectorIndexSearchBenchmarks : IDisposable
{
    private VectorIndex _index = null!;
    private VectorSet _queries = null!;
    private SearchOptions _options = null!;
    private readonly SearchHit[] _hits = new SearchHit[10];
    private int _next;

    [Params(1, 2, 4)]
    public int Bits { get; set; }

    [Params(Reranking.None, Reranking.Auto)]
    public Reranking Rerank { get; set; }

    [Params(IndexLayout.Flat, IndexLayout.Ivf)]
    public IndexLayout Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var data = Dataset.Load(Locate("glove-100-angular-20k"));
        _queries = data.Queries;
        _index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(data.Dimension, Bits, 42), Metric.InnerProduct,
            OriginalsFormat.Float32, Kind));
        for (int i = 0; i < data.Base.Count; i++)
        {
            _index.Upsert((ulong)i, data.Base.Row(i));
        }
        if (Kind == IndexLayout.Ivf)
        {
            _index.TrainIvf();
        }
        _options = new SearchOptions(10, Rerank, NProbe: 16);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _index?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public int Query()
    {
        int q = _next++ % _queries.Count;
        return _index.Search(_queries.Row(q), _options, _hits, out _);
    }

    private static string Locate(string name, [CallerFilePath] string source = "") =>
        Dataset.Locate(name, Path.GetDirectoryName(source)) ?? throw new InvalidOperationException($"dataset {name} not found");
}
