using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using VectorDb.Index.Rerank;
using VectorDb.Index.Rotation;

namespace VectorDb.Index.Common;

/// <summary>
/// The vector operations the generic SIMD kernels need (the Hadamard rotation's <c>SimdHadamardKernel</c>, the
/// re-rank's <c>SimdRowKernel</c>), one empty struct per width, so that each kernel is written once and specialized by
/// the JIT per width (static abstract members: no dispatch at run time).
/// </summary>
internal interface ISimdOps<TVec> where TVec : struct
{
    /// <summary>Floats per vector (4, 8 or 16).</summary>
    static abstract int Lanes { get; }

    static abstract TVec Zero { get; }

    /// <summary>Lanes floats from <paramref name="source"/> + <paramref name="index"/> (unaligned).</summary>
    static abstract TVec Load(ref float source, nint index);

    static abstract void Store(TVec value, ref float destination, nint index);

    /// <summary>Loads sign-bit masks (0 or 0x80000000) reinterpreted as floats, for <see cref="Xor"/>.</summary>
    static abstract TVec LoadSigns(ref uint signs, nint index);

    /// <summary>2·Lanes halves from <paramref name="source"/> + <paramref name="index"/>, widened exactly to
    /// float32 (<see cref="HalfWidening"/>): the first Lanes in <paramref name="lower"/>, the next in <paramref name="upper"/>.</summary>
    static abstract void LoadHalves(ref Half source, nint index, out TVec lower, out TVec upper);

    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Subtract(TVec left, TVec right);

    static abstract TVec Multiply(TVec left, TVec right);

    /// <summary>a·b + c, fused where the hardware has FMA (the rotation never uses it: it must match its scalar
    /// kernel bit for bit).</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    static abstract TVec Xor(TVec value, TVec mask);

    static abstract TVec Broadcast(float value);

    /// <summary>Sum of the lanes.</summary>
    static abstract float Sum(TVec value);

    /// <summary>The Walsh-Hadamard stages with strides 1, 2, …, Lanes/2 inside one vector, in that order. Lane j of
    /// stride h becomes v[j] + v[j+h] (bit h of j clear) or v[j-h] + (-v[j]) (bit set); IEEE a + (-b) is a - b
    /// exactly, so this equals the scalar butterfly bit for bit.</summary>
    static abstract TVec HadamardWithinVector(TVec value);
}

internal readonly struct Vector128Ops : ISimdOps<Vector128<float>>
{
    private const uint S = RotationSigns.SignBit;

    public static int Lanes => Vector128<float>.Count;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadHalves(ref Half source, nint index, out Vector128<float> lower, out Vector128<float> upper)
    {
        (Vector128<uint> low, Vector128<uint> high) = Vector128.Widen(Vector128.LoadUnsafe(ref Unsafe.As<Half, ushort>(ref source), (nuint)index));
        lower = HalfWidening.ToSingle(low);
        upper = HalfWidening.ToSingle(high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> value) => Vector128.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nint index) => Vector128.LoadUnsafe(ref source, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, nint index) =>
        value.StoreUnsafe(ref destination, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadSigns(ref uint signs, nint index) =>
        Vector128.LoadUnsafe(ref signs, (nuint)index).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Xor(Vector128<float> value, Vector128<float> mask) => value ^ mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> HadamardWithinVector(Vector128<float> v)
    {
        v = Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2)) + (v ^ Vector128.Create(0, S, 0, S).AsSingle());
        return Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)) + (v ^ Vector128.Create(0, 0, S, S).AsSingle());
    }
}

internal readonly struct Vector256Ops : ISimdOps<Vector256<float>>
{
    private const uint S = RotationSigns.SignBit;

    public static int Lanes => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadHalves(ref Half source, nint index, out Vector256<float> lower, out Vector256<float> upper)
    {
        (Vector256<uint> low, Vector256<uint> high) = Vector256.Widen(Vector256.LoadUnsafe(ref Unsafe.As<Half, ushort>(ref source), (nuint)index));
        lower = HalfWidening.ToSingle(low);
        upper = HalfWidening.ToSingle(high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nint index) => Vector256.LoadUnsafe(ref source, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nint index) =>
        value.StoreUnsafe(ref destination, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadSigns(ref uint signs, nint index) =>
        Vector256.LoadUnsafe(ref signs, (nuint)index).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Xor(Vector256<float> value, Vector256<float> mask) => value ^ mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> HadamardWithinVector(Vector256<float> v)
    {
        v = Vector256.Shuffle(v, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6))
            + (v ^ Vector256.Create(0, S, 0, S, 0, S, 0, S).AsSingle());
        v = Vector256.Shuffle(v, Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5))
            + (v ^ Vector256.Create(0, 0, S, S, 0, 0, S, S).AsSingle());
        return Vector256.Shuffle(v, Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3))
            + (v ^ Vector256.Create(0, 0, 0, 0, S, S, S, S).AsSingle());
    }
}

internal readonly struct Vector512Ops : ISimdOps<Vector512<float>>
{
    private const uint S = RotationSigns.SignBit;

    public static int Lanes => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadHalves(ref Half source, nint index, out Vector512<float> lower, out Vector512<float> upper)
    {
        (Vector512<uint> low, Vector512<uint> high) = Vector512.Widen(Vector512.LoadUnsafe(ref Unsafe.As<Half, ushort>(ref source), (nuint)index));
        lower = HalfWidening.ToSingle(low);
        upper = HalfWidening.ToSingle(high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nint index) => Vector512.LoadUnsafe(ref source, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nint index) =>
        value.StoreUnsafe(ref destination, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadSigns(ref uint signs, nint index) =>
        Vector512.LoadUnsafe(ref signs, (nuint)index).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Xor(Vector512<float> value, Vector512<float> mask) => value ^ mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> HadamardWithinVector(Vector512<float> v)
    {
        v = Vector512.Shuffle(v, Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14))
            + (v ^ Vector512.Create(0, S, 0, S, 0, S, 0, S, 0, S, 0, S, 0, S, 0, S).AsSingle());
        v = Vector512.Shuffle(v, Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13))
            + (v ^ Vector512.Create(0, 0, S, S, 0, 0, S, S, 0, 0, S, S, 0, 0, S, S).AsSingle());
        v = Vector512.Shuffle(v, Vector512.Create(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11))
            + (v ^ Vector512.Create(0, 0, 0, 0, S, S, S, S, 0, 0, 0, 0, S, S, S, S).AsSingle());
        return Vector512.Shuffle(v, Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7))
            + (v ^ Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, S, S, S, S, S, S, S, S).AsSingle());
    }
}
