using ILGPU;
using ILGPU.Runtime;
using VectorDb.Index.Rerank;

namespace VectorDb.Gpu.Kernels;

/// <summary>The kernels of one (accelerator, precision, metric), each compiled on first use (ILGPU then caches
/// the compiled kernel in the accelerator, so scorers sharing an accelerator compile it once).</summary>
internal sealed class GpuKernelSet
{
    private readonly Lazy<Action<KernelConfig, ArrayView<Chunk16>, ArrayView<float>, ArrayView<int>, ArrayView<Float4>, ArrayView<float>,
        ArrayView<int>, ArrayView<int>, ArrayView<float>, ScoreParameters>> _scorePairs;

    private readonly Lazy<Action<KernelConfig, ArrayView<Chunk16>, ArrayView<float>, ArrayView<int>, ArrayView<Float4>, ArrayView<float>,
        ArrayView<float>, ScoreParameters, int>> _scoreTiled;

    private readonly Lazy<Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, TopKParameters>> _segmentTopK;

    private readonly Lazy<Action<Index1D, ArrayView<Chunk16>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<Chunk16>,
        ArrayView<float>, ArrayView<int>, int>> _scatter;

    public GpuKernelSet(Accelerator accelerator, OriginalsFormat precision, Metric metric)
    {
        bool l2 = metric == Metric.L2;
        bool half = precision == OriginalsFormat.Float16;
        _scorePairs = new(() => (half, l2) switch
        {
            (false, false) => LoadPairs(accelerator, ScoreKernels.ScorePairs<Float32Row<DotOp>>),
            (false, true) => LoadPairs(accelerator, ScoreKernels.ScorePairs<Float32Row<SquaredDistanceOp>>),
            (true, false) => LoadPairs(accelerator, ScoreKernels.ScorePairs<Float16Row<DotOp>>),
            (true, true) => LoadPairs(accelerator, ScoreKernels.ScorePairs<Float16Row<SquaredDistanceOp>>),
        });
        _scoreTiled = new(() => (half, l2) switch
        {
            (false, false) => LoadTiled(accelerator, ScoreKernels.ScoreTiled<Float32Row<DotOp>, DotOp>),
            (false, true) => LoadTiled(accelerator, ScoreKernels.ScoreTiled<Float32Row<DotOp>, SquaredDistanceOp>),
            (true, false) => LoadTiled(accelerator, ScoreKernels.ScoreTiled<Float16Row<DotOp>, DotOp>),
            (true, true) => LoadTiled(accelerator, ScoreKernels.ScoreTiled<Float16Row<DotOp>, SquaredDistanceOp>),
        });
        _segmentTopK = new(() => accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, TopKParameters>(SelectKernels.SegmentTopK));
        _scatter = new(() => accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<Chunk16>, ArrayView<int>, ArrayView<float>, ArrayView<int>,
            ArrayView<Chunk16>, ArrayView<float>, ArrayView<int>, int>(SyncKernels.Scatter));
    }

    public Action<KernelConfig, ArrayView<Chunk16>, ArrayView<float>, ArrayView<int>, ArrayView<Float4>, ArrayView<float>,
        ArrayView<int>, ArrayView<int>, ArrayView<float>, ScoreParameters> ScorePairs => _scorePairs.Value;

    public Action<KernelConfig, ArrayView<Chunk16>, ArrayView<float>, ArrayView<int>, ArrayView<Float4>, ArrayView<float>,
        ArrayView<float>, ScoreParameters, int> ScoreTiled => _scoreTiled.Value;

    public Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, TopKParameters> SegmentTopK => _segmentTopK.Value;

    public Action<Index1D, ArrayView<Chunk16>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<Chunk16>,
        ArrayView<float>, ArrayView<int>, int> Scatter => _scatter.Value;

    private static Action<KernelConfig, ArrayView<Chunk16>, ArrayView<float>, ArrayView<int>, ArrayView<Float4>, ArrayView<float>,
        ArrayView<int>, ArrayView<int>, ArrayView<float>, ScoreParameters> LoadPairs(Accelerator accelerator,
        Action<ArrayView<Chunk16>, ArrayView<float>, ArrayView<int>, ArrayView<Float4>, ArrayView<float>, ArrayView<int>,
            ArrayView<int>, ArrayView<float>, ScoreParameters> kernel) =>
        accelerator.LoadStreamKernel(kernel);

    private static Action<KernelConfig, ArrayView<Chunk16>, ArrayView<float>, ArrayView<int>, ArrayView<Float4>, ArrayView<float>,
        ArrayView<float>, ScoreParameters, int> LoadTiled(Accelerator accelerator,
        Action<ArrayView<Chunk16>, ArrayView<float>, ArrayView<int>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>,
            ScoreParameters, int> kernel) =>
        accelerator.LoadStreamKernel(kernel);
}
