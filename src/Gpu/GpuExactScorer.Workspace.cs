using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using VectorDb.Gpu.Kernels;
using VectorDb.Index.Rerank;
using static VectorDb.Gpu.DeviceBuffers;

namespace VectorDb.Gpu;

/// <summary>Per-call device buffers (grown on demand, reused) and kernel launches.</summary>
public sealed partial class GpuExactScorer
{
    private MemoryBuffer1D<Float4, Stride1D.Dense>? _queries;
    private MemoryBuffer1D<float, Stride1D.Dense>? _queryNorms;
    private MemoryBuffer1D<int, Stride1D.Dense>? _slots;
    private MemoryBuffer1D<int, Stride1D.Dense>? _pairQueries;
    private MemoryBuffer1D<float, Stride1D.Dense>? _scores;
    private MemoryBuffer1D<int, Stride1D.Dense>? _topSlots;
    private MemoryBuffer1D<float, Stride1D.Dense>? _topScores;
    private Float4[] _hostQueries = [];
    private float[] _hostQueryNorms = [];
    private int[] _hostPairQueries = [];
    private float[] _hostScores = [];
    private int[] _hostTopSlots = [];
    private float[] _hostTopScores = [];

    /// <summary>Scores per device top-k segment; tests lower it to cover multi-segment merging at small sizes.</summary>
    internal int SegmentSize { get; set; } = SelectKernels.MaxSegmentSize;

    private long WorkingBytes => Bytes(_queries) + Bytes(_queryNorms) + Bytes(_slots) + Bytes(_pairQueries) + Bytes(_scores)
        + Bytes(_topSlots) + Bytes(_topScores);

    private void ReleaseWorkspace()
    {
        Free(ref _queries);
        Free(ref _queryNorms);
        Free(ref _slots);
        Free(ref _pairQueries);
        Free(ref _scores);
        Free(ref _topSlots);
        Free(ref _topScores);
    }

    /// <summary>Makes <paramref name="buffer"/> hold at least <paramref name="length"/> elements (never fewer than 1).</summary>
    private ArrayView<T> Ensure<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length) where T : unmanaged
    {
        length = Math.Max(1, length);
        if (buffer is null || buffer.Length < length)
        {
            long grown = Math.Max(length, (buffer?.Length ?? 0) * 3 / 2);
            buffer?.Dispose();
            buffer = _accelerator.Allocate1D<T>(grown);
        }
        return buffer.View;
    }

    private static T[] EnsureHost<T>(ref T[] array, long length)
    {
        if (array.Length < length)
        {
            array = new T[Math.Max(length, array.Length * 3L / 2)];
        }
        return array;
    }

    /// <summary>Uploads <paramref name="count"/> queries padded to the row stride, and their norms (cosine only).</summary>
    private void UploadQueries(ReadOnlySpan<float> queries, int count)
    {
        int stride = _mirror.CoordinateStride;
        int float4PerQuery = stride / 4;
        Float4[] host = EnsureHost(ref _hostQueries, (long)count * float4PerQuery);
        Span<float> flat = MemoryMarshal.Cast<Float4, float>(host.AsSpan(0, count * float4PerQuery));
        flat.Clear();
        float[] norms = EnsureHost(ref _hostQueryNorms, count);
        for (int q = 0; q < count; q++)
        {
            ReadOnlySpan<float> query = queries.Slice(q * Dimension, Dimension);
            query.CopyTo(flat.Slice(q * stride));
            norms[q] = Metric == Metric.Cosine ? ExactScorer.EuclideanNorm(query) : 0f;
        }
        View(Ensure(ref _queries, (long)count * float4PerQuery), count * float4PerQuery).CopyFromCPU(host.AsSpan(0, count * float4PerQuery));
        View(Ensure(ref _queryNorms, count), count).CopyFromCPU(norms.AsSpan(0, count));
    }

    private static ArrayView<T> View<T>(ArrayView<T> view, long length) where T : unmanaged => Range(view, 0, length);

    private ScoreParameters Parameters(long pairCount, bool identity, int slotCount) => new()
    {
        PairCount = pairCount,
        ChunksPerRow = _mirror.ChunksPerRow,
        Float4PerQuery = _mirror.CoordinateStride / 4,
        SlotCapacity = _mirror.Capacity,
        IdentitySlots = identity ? 1 : 0,
        SlotCount = slotCount,
        Metric = (int)Metric,
    };

    /// <summary>Launches the warp-per-pair kernel over <paramref name="pairCount"/> pairs; returns its device time.</summary>
    private TimeSpan LaunchPairs(long pairCount, bool identity, int slotCount)
    {
        int warp = _accelerator.WarpSize;
        int groupSize = Math.Max(warp, Math.Min(256, _accelerator.MaxNumThreadsPerGroup) / warp * warp);
        int warpsPerGroup = groupSize / warp;
        // A grid-stride loop over pairs with as many groups as the device keeps resident at once.
        long resident = Math.Max(1, (long)_accelerator.NumMultiprocessors * _accelerator.MaxNumThreadsPerMultiprocessor / groupSize);
        int groups = (int)Math.Max(1, Math.Min((pairCount + warpsPerGroup - 1) / warpsPerGroup, resident));
        ScoreParameters parameters = Parameters(pairCount, identity, slotCount);
        ArrayView<int> slots = Ensure(ref _slots, identity ? 1 : pairCount);
        ArrayView<int> pairQueries = Ensure(ref _pairQueries, identity ? 1 : pairCount);
        ArrayView<float> scores = Ensure(ref _scores, pairCount);
        return Timed(() => _kernels.ScorePairs(new KernelConfig(groups, groupSize), _mirror.Rows, _mirror.Norms, _mirror.Live,
            _queries!.View, _queryNorms!.View, slots, pairQueries, scores, parameters));
    }

    /// <summary>Launches the tiled brute-force kernel for <paramref name="queryCount"/> uploaded queries over the
    /// first <paramref name="slotCount"/> slots; scores land query-major in the score buffer.</summary>
    private TimeSpan LaunchTiled(int queryCount, int slotCount)
    {
        int slotTiles = (slotCount + ScoreKernels.TileRows - 1) / ScoreKernels.TileRows;
        int queryTiles = (queryCount + ScoreKernels.TileQueries - 1) / ScoreKernels.TileQueries;
        ScoreParameters parameters = Parameters((long)queryCount * slotCount, identity: true, slotCount);
        ArrayView<float> scores = Ensure(ref _scores, (long)queryCount * slotCount);
        return Timed(() => _kernels.ScoreTiled(new KernelConfig(slotTiles * queryTiles, ScoreKernels.TileThreads), _mirror.Rows,
            _mirror.Norms, _mirror.Live, _queries!.View, _queryNorms!.View, scores, parameters, queryCount));
    }

    /// <summary>Runs segment top-k over the query-major score matrix; returns the per-segment survivors' count per query.</summary>
    private (int PerQuery, TimeSpan Time) LaunchSegmentTopK(int queryCount, int slotCount, int k)
    {
        int segments = (slotCount + SegmentSize - 1) / SegmentSize;
        var parameters = new TopKParameters
        {
            SlotCount = slotCount,
            SegmentSize = SegmentSize,
            Segments = segments,
            K = k,
            SmallerIsBetter = Metric.SmallerIsBetter() ? 1 : 0,
        };
        long outputs = (long)queryCount * segments * k;
        ArrayView<int> topSlots = Ensure(ref _topSlots, outputs);
        ArrayView<float> topScores = Ensure(ref _topScores, outputs);
        TimeSpan time = Timed(() => _kernels.SegmentTopK(new KernelConfig(segments * queryCount, SelectKernels.Threads),
            _scores!.View, topSlots, topScores, parameters));
        View(topSlots, outputs).CopyToCPU(EnsureHost(ref _hostTopSlots, outputs).AsSpan(0, (int)outputs));
        View(topScores, outputs).CopyToCPU(EnsureHost(ref _hostTopScores, outputs).AsSpan(0, (int)outputs));
        return (segments * k, time);
    }

    private TimeSpan Timed(Action launch)
    {
        using ProfilingMarker start = _accelerator.DefaultStream.AddProfilingMarker();
        launch();
        using ProfilingMarker end = _accelerator.DefaultStream.AddProfilingMarker();
        end.Synchronize();
        return end.MeasureFrom(start);
    }
}
