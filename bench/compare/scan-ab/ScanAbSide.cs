using System.Diagnostics;
using VectorDb.Datasets;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;

namespace VectorDb.Benchmarks.ScanAb;

/// <summary>
/// One side of the flat-scan A/B: a flat 4-bit index of a data set (inner product, seed 42, with the residual code
/// lists a collection of this size trains, where the build has them) and timed searches over it, one query per call
/// and four per call (SearchBatch), k = 10, no re-rank, one thread. Public and static so that the paired host
/// (bench/compare/scan-ab-paired) can load two builds of it side by side in one process and call them alternately.
/// </summary>
public static class ScanAbSide
{
    private static Dataset? s_data;
    private static VectorIndex? s_index;
    private static readonly SearchOptions Search = new(10, Reranking.None);
    private static readonly SearchHit[] Hits = new SearchHit[40];
    private static readonly int[] Found = new int[4];
    private static readonly SearchStatistics[] Statistics = new SearchStatistics[4];
    private static float[] s_batch = [];

    /// <summary>Loads the data set in <paramref name="directory"/> and builds the index in code format
    /// <paramref name="format"/> (1 or 2; ignored by a build older than format 2).</summary>
    public static void Prepare(string directory, int format)
    {
        var data = Dataset.Load(directory);
        var quantizer = new QuantizerOptions(data.Dimension, 4, 42);
#if BEFORE_FORMAT2
        var options = new VectorIndexOptions(quantizer, Metric.InnerProduct, OriginalsFormat.Float32, IndexLayout.Flat);
#else
        var options = new VectorIndexOptions(quantizer, Metric.InnerProduct, OriginalsFormat.Float32, IndexLayout.Flat,
            CodeFormat: format);
#endif
        var index = new VectorIndex(options);
        for (int i = 0; i < data.Base.Count; i++)
        {
            index.Upsert((ulong)i, data.Base.Row(i));
        }
#if !BEFORE_CODE_LISTS
        // SCAN_AB_CODE_LISTS: "off" keeps the collection mean, N trains N lists; unset: what a collection of the engine
        // has at this size (residual code lists, all scanned).
        string? lists = Environment.GetEnvironmentVariable("SCAN_AB_CODE_LISTS");
        if (lists != "off" && (lists is not null || index.CodeListsDue()))
        {
            index.TrainCodeLists(lists is null ? 0 : int.Parse(lists, System.Globalization.CultureInfo.InvariantCulture));
        }
#endif
        s_data = data;
        s_index = index;
        s_batch = new float[4 * data.Dimension];
    }

    /// <summary>Microseconds of one search for query <paramref name="q"/> (modulo the query count).</summary>
    public static double One(int q)
    {
        var (data, index) = Prepared();
        ReadOnlySpan<float> query = data.Queries.Row(q % data.Queries.Count);
        long start = Stopwatch.GetTimestamp();
        index.Search(query, Search, Hits.AsSpan(0, 10), out _);
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    /// <summary>Microseconds of one batched search of the four queries from 4·<paramref name="q"/> on.</summary>
    public static double Four(int q)
    {
        var (data, index) = Prepared();
        int first = (4 * q) % (data.Queries.Count - 3);
        for (int j = 0; j < 4; j++)
        {
            data.Queries.Row(first + j).CopyTo(s_batch.AsSpan(j * data.Dimension));
        }
        long start = Stopwatch.GetTimestamp();
        index.SearchBatch(s_batch, Search, Hits, Found, Statistics);
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private static (Dataset Data, VectorIndex Index) Prepared() =>
        (s_data ?? throw new InvalidOperationException("Prepare first"), s_index!);
}
