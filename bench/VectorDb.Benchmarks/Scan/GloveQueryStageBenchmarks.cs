using BenchmarkDotNet.Attributes;
using VectorDb.Datasets;
using VectorDb.Index.Estimation;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;
using VectorDb.Index.Search;

namespace VectorDb.Benchmarks.Scan;

/// <summary>
/// One flat 4-bit query on real GloVe data, end to end and stage by stage, with the scan's before/after drivers in
/// the same run: the harness configuration (eden-unbiased, b = 4, inner product, k = 10, no re-rank) on the folder
/// in <c>VECTORDB_GLOVE</c> (default <c>/work/shared/datasets/glove-100-angular</c>, 200,000 × 100; the 20k slice
/// in <c>datasets/</c> when that is missing). Each invocation takes the next of the first 1,000 queries.
/// <c>SearchEndToEnd</c> is <see cref="VectorIndex.Search(ReadOnlySpan{float}, SearchOptions, Span{SearchHit}, out SearchStatistics, Func{ulong, bool})"/>
/// (allocation-free overload); the stages are what it runs: prepare the query (normalise-free for IP: norm,
/// rotation, the estimator's tables), build the fast-scan tables, then the scan by the generic per-block driver
/// (before) or the pruned driver (after; includes the factor bounds), and the sorted copy.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class GloveQueryStageBenchmarks : IDisposable
{
    private const int Queries = 1000;
    private const int BatchSize = 4;
    private readonly TopK _top = new(10);
    private readonly ScoredSlot[] _sorted = new ScoredSlot[10];
    private readonly SearchHit[] _hits = new SearchHit[10];
    private readonly SearchHit[] _batchHits = new SearchHit[BatchSize * 10];
    private readonly int[] _batchFound = new int[BatchSize];
    private readonly SearchStatistics[] _batchStatistics = new SearchStatistics[BatchSize];
    private readonly SearchOptions _options = new(10, Reranking.None);
    private Dataset _data = null!;
    private VectorIndex _index = null!;
    private CodePartition _partition = null!;
    private InnerProductEstimator _estimator = null!;
    private FastScanLut _lut = null!;
    private FastScanScorer _scorer = null!;
    private float[] _centroids = null!;
    private int _query;

    [GlobalSetup]
    public void Setup()
    {
        string folder = Environment.GetEnvironmentVariable("VECTORDB_GLOVE") is { Length: > 0 } configured ? configured
            : Directory.Exists("/work/shared/datasets/glove-100-angular") ? "/work/shared/datasets/glove-100-angular"
            : "datasets/glove-100-angular-20k";
        _data = Dataset.Load(folder, Queries);
        int d = _data.Dimension;
        _index = new VectorIndex(new VectorIndexOptions(new QuantizerOptions(d, 4, 42), Metric.InnerProduct, OriginalsFormat.None));
        for (int i = 0; i < _data.Base.Count; i++)
        {
            _index.Upsert((ulong)i, _data.Base.Row(i));
        }
        _partition = _index.Partitions[0];
        _estimator = _index.Quantizer.CreateEstimator();
        _lut = new FastScanLut(d, 4);
        _scorer = new FastScanScorer(_partition.FastCodes!, _lut, _index.Quantizer.Level);
        _centroids = _index.Quantizer.Codebook!.Centroids.ToArray();
        // The scan stages use query 0's tables (both drivers the same query); CopySorted sorts its top 10.
        _estimator.Prepare(_data.Queries.Row(0));
        _lut.Build(_estimator.RotatedQuery, _centroids);
        FlatScan.Search(_scorer, _partition.Factors.Span, default, _partition.Deleted.Span, _top);
        Console.WriteLine($"// {folder}: {_data.Base.Count} × {d}, kernel level {_index.Quantizer.Level}");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _index?.Dispose();
        GC.SuppressFinalize(this);
    }

    private ReadOnlySpan<float> NextQuery() => _data.Queries.Row(_query++ % Math.Min(Queries, _data.Queries.Count));

    /// <summary>The whole query as the harness runs it (k = 10, no re-rank), into a caller buffer.</summary>
    [Benchmark]
    public int SearchEndToEnd() => _index.Search(NextQuery(), _options, _hits, out _);

    /// <summary>
    /// The same queries four per call (<see cref="VectorIndex.SearchBatch(ReadOnlySpan{float}, SearchOptions, Span{SearchHit}, Span{int}, Span{SearchStatistics})"/>:
    /// one pass over the codes per four queries); reported per query, so it compares with <see cref="SearchEndToEnd"/>.
    /// </summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int SearchBatchOf4()
    {
        int first = _query % (Math.Min(Queries, _data.Queries.Count) - BatchSize);
        _query += BatchSize;
        _index.SearchBatch(_data.Queries.Values.AsSpan(first * _data.Dimension, BatchSize * _data.Dimension), _options,
            _batchHits, _batchFound, _batchStatistics);
        return _batchFound[0];
    }

    /// <summary>Stage 1: norm, rotation and the estimator's own tables.</summary>
    [Benchmark]
    public float PrepareQuery()
    {
        _estimator.Prepare(NextQuery());
        return _estimator.RotatedQuery[0];
    }

    /// <summary>Stage 2, before: scalar table build (from the last prepared query; the tables it leaves are equal).</summary>
    [Benchmark]
    public float BuildTablesScalar()
    {
        _lut.BuildScalar(_estimator.RotatedQuery, _centroids);
        return _lut.Scale;
    }

    /// <summary>Stage 2, after: vectorised table build.</summary>
    [Benchmark]
    public float BuildTables()
    {
        _lut.Build(_estimator.RotatedQuery, _centroids);
        return _lut.Scale;
    }

    /// <summary>Stage 3, before: generic per-block driver (query 0's tables).</summary>
    [Benchmark(Baseline = true)]
    public int ScanPerBlock()
    {
        _top.Clear();
        FlatScan.SearchBlocksPerBlock(_scorer, _partition.Factors.Span, default, _partition.Deleted.Span, _top, 0, _scorer.BlockCount);
        return _top.Count;
    }

    /// <summary>Stage 3, after: pruned driver (factor bounds, 16-bit kernel, integer threshold).</summary>
    [Benchmark]
    public int ScanPruned()
    {
        _top.Clear();
        FlatScan.Search(_scorer, _partition.Factors.Span, default, _partition.Deleted.Span, _top);
        return _top.Count;
    }

    /// <summary>Stage 4: the 10 candidates sorted best first.</summary>
    [Benchmark]
    public int CopySorted() => _top.CopySortedTo(_sorted);
}
