using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VectorDb.Index.Rerank;

/// <summary>
/// The few vector operations <see cref="SimdRowKernel{TOps, TVec}"/> needs, one empty struct per width, so the
/// kernel is written once and specialized by the JIT per width (static abstract members: no dispatch at run time).
/// </summary>
internal interface IRowVectorOps<TVec> where TVec : struct
{
    /// <summary>Floats per vector (4, 8 or 16).</summary>
    static abstract int Lanes { get; }

    static abstract TVec Zero { get; }

    /// <summary>Lanes floats from <paramref name="source"/> + <paramref name="offset"/> (unaligned).</summary>
    static abstract TVec Load(ref float source, int offset);

    /// <summary>2·Lanes halves from <paramref name="source"/> + <paramref name="offset"/>, widened exactly to
    /// float32 (<see cref="HalfWidening"/>): the first Lanes in <paramref name="lower"/>, the next in <paramref name="upper"/>.</summary>
    static abstract void LoadHalves(ref Half source, int offset, out TVec lower, out TVec upper);

    /// <summary>a·b + c, fused where the hardware has FMA.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Subtract(TVec left, TVec right);

    /// <summary>Sum of the lanes.</summary>
    static abstract float Sum(TVec value);
}

internal readonly struct Vector128RowOps : IRowVectorOps<Vector128<float>>
{
    public static int Lanes => Vector128<float>.Count;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, int offset) => Vector128.LoadUnsafe(ref source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadHalves(ref Half source, int offset, out Vector128<float> lower, out Vector128<float> upper)
    {
        (Vector128<uint> low, Vector128<uint> high) = Vector128.Widen(Vector128.LoadUnsafe(ref Unsafe.As<Half, ushort>(ref source), (nuint)offset));
        lower = HalfWidening.ToSingle(low);
        upper = HalfWidening.ToSingle(high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> value) => Vector128.Sum(value);
}

internal readonly struct Vector256RowOps : IRowVectorOps<Vector256<float>>
{
    public static int Lanes => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, int offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadHalves(ref Half source, int offset, out Vector256<float> lower, out Vector256<float> upper)
    {
        (Vector256<uint> low, Vector256<uint> high) = Vector256.Widen(Vector256.LoadUnsafe(ref Unsafe.As<Half, ushort>(ref source), (nuint)offset));
        lower = HalfWidening.ToSingle(low);
        upper = HalfWidening.ToSingle(high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);
}

internal readonly struct Vector512RowOps : IRowVectorOps<Vector512<float>>
{
    public static int Lanes => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, int offset) => Vector512.LoadUnsafe(ref source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadHalves(ref Half source, int offset, out Vector512<float> lower, out Vector512<float> upper)
    {
        (Vector512<uint> low, Vector512<uint> high) = Vector512.Widen(Vector512.LoadUnsafe(ref Unsafe.As<Half, ushort>(ref source), (nuint)offset));
        lower = HalfWidening.ToSingle(low);
        upper = HalfWidening.ToSingle(high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);
}
