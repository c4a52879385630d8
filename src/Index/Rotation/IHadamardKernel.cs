namespace VectorDb.Index.Rotation;

/// <summary>
/// One implementation (scalar or one SIMD width) of the stage every rotation round is built from. Implemented by
/// structs with static members so that <see cref="HadamardRotation"/> picks the kernel once per call through a
/// generic type argument and the JIT specializes and inlines it: no per-element dispatch.
/// <para>
/// Float order is part of the contract: every implementation performs, for every output coordinate, the same
/// sequence of IEEE operations as <see cref="ScalarHadamardKernel"/> (no FMA, no reassociation), so all levels give
/// bit-identical results.
/// </para>
/// </summary>
internal interface IHadamardKernel
{
    /// <summary>
    /// destination[i] = outputSigns_i( scale · (H_block · inputSigns(source))_i ) for i &lt; block.Length, with
    /// H_block the unnormalized block transform. Empty sign spans mean "no flip". source may be the same memory as
    /// destination (element-wise identical), never partially overlapping.
    /// <para>Operation order: XOR input signs; for Kronecker blocks the Paley-12 column stage, then the
    /// Walsh-Hadamard stages of every row with strides 1, 2, 4, …; multiply by scale; XOR output signs.</para>
    /// </summary>
    static abstract void BlockTransform(
        ReadOnlySpan<float> source, Span<float> destination, FastBlock block,
        ReadOnlySpan<uint> inputSigns, float scale, ReadOnlySpan<uint> outputSigns);
}
