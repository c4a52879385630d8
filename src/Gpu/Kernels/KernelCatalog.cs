using System.Reflection;

namespace VectorDb.Gpu.Kernels;

/// <summary>Every kernel instantiation the GPU scorer loads, by name (used by loading and by the PTX dump).</summary>
internal static class KernelCatalog
{
    public static IEnumerable<(string Name, MethodInfo Method, bool ExplicitlyGrouped)> All()
    {
        yield return ("pairs-f32-dot", Method(ScoreKernels.ScorePairs<Float32Row<DotOp>>), true);
        yield return ("pairs-f32-l2", Method(ScoreKernels.ScorePairs<Float32Row<SquaredDistanceOp>>), true);
        yield return ("pairs-f16-dot", Method(ScoreKernels.ScorePairs<Float16Row<DotOp>>), true);
        yield return ("pairs-f16-l2", Method(ScoreKernels.ScorePairs<Float16Row<SquaredDistanceOp>>), true);
        yield return ("tiled-f32-dot", Method(ScoreKernels.ScoreTiled<Float32Row<DotOp>, DotOp>), true);
        yield return ("tiled-f32-l2", Method(ScoreKernels.ScoreTiled<Float32Row<DotOp>, SquaredDistanceOp>), true);
        yield return ("tiled-f16-dot", Method(ScoreKernels.ScoreTiled<Float16Row<DotOp>, DotOp>), true);
        yield return ("tiled-f16-l2", Method(ScoreKernels.ScoreTiled<Float16Row<DotOp>, SquaredDistanceOp>), true);
        yield return ("segment-topk", Method(SelectKernels.SegmentTopK), true);
        yield return ("scatter", Method(SyncKernels.Scatter), false);
    }

    private static MethodInfo Method(Delegate kernel) => kernel.Method;
}
