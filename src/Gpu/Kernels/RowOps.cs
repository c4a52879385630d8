using ILGPU;

namespace VectorDb.Gpu.Kernels;

/// <summary>
/// How one 16-byte row chunk combines with the matching query coordinates. Implemented by empty structs used as
/// generic kernel arguments, so ILGPU compiles one specialized kernel per (precision, metric): no branch per
/// element. All arithmetic is float32.
/// </summary>
internal interface IRowOp
{
    /// <summary>Adds the chunk's contribution (dot or squared difference) to <paramref name="sum"/>.</summary>
    float Accumulate(float sum, Chunk16 row, ArrayView<Float4> queries, long queryFloat4Base, int chunk);

    /// <summary>Widens the chunk's coordinates c (c &lt; 4 for float32, &lt; 8 for float16) to float.</summary>
    float Coordinate(Chunk16 row, int c);
}

/// <summary>Per-element combination used by the tiled kernel, where both operands are already floats.</summary>
internal interface IPairOp
{
    float Accumulate(float sum, float row, float query);
}

internal readonly struct DotOp : IPairOp
{
    public float Accumulate(float sum, float row, float query) => sum + row * query;
}

internal readonly struct SquaredDistanceOp : IPairOp
{
    public float Accumulate(float sum, float row, float query)
    {
        float difference = query - row;
        return sum + difference * difference;
    }
}

/// <summary>float32 rows: a chunk is 4 coordinates.</summary>
internal readonly struct Float32Row<TPair> : IRowOp
    where TPair : struct, IPairOp
{
    public float Accumulate(float sum, Chunk16 row, ArrayView<Float4> queries, long queryFloat4Base, int chunk)
    {
        Float4 q = queries[queryFloat4Base + chunk];
        TPair op = default;
        sum = op.Accumulate(sum, Interop.IntAsFloat(row.A), q.X);
        sum = op.Accumulate(sum, Interop.IntAsFloat(row.B), q.Y);
        sum = op.Accumulate(sum, Interop.IntAsFloat(row.C), q.Z);
        return op.Accumulate(sum, Interop.IntAsFloat(row.D), q.W);
    }

    public float Coordinate(Chunk16 row, int c) =>
        Interop.IntAsFloat(c == 0 ? row.A : c == 1 ? row.B : c == 2 ? row.C : row.D);
}

/// <summary>float16 rows: a chunk is 8 coordinates, two per 32-bit word, low half first (little endian).</summary>
internal readonly struct Float16Row<TPair> : IRowOp
    where TPair : struct, IPairOp
{
    public float Accumulate(float sum, Chunk16 row, ArrayView<Float4> queries, long queryFloat4Base, int chunk)
    {
        Float4 q0 = queries[queryFloat4Base + 2L * chunk];
        Float4 q1 = queries[queryFloat4Base + 2L * chunk + 1];
        TPair op = default;
        sum = op.Accumulate(sum, HalfBits.Low(row.A), q0.X);
        sum = op.Accumulate(sum, HalfBits.High(row.A), q0.Y);
        sum = op.Accumulate(sum, HalfBits.Low(row.B), q0.Z);
        sum = op.Accumulate(sum, HalfBits.High(row.B), q0.W);
        sum = op.Accumulate(sum, HalfBits.Low(row.C), q1.X);
        sum = op.Accumulate(sum, HalfBits.High(row.C), q1.Y);
        sum = op.Accumulate(sum, HalfBits.Low(row.D), q1.Z);
        return op.Accumulate(sum, HalfBits.High(row.D), q1.W);
    }

    public float Coordinate(Chunk16 row, int c)
    {
        uint word = c < 2 ? row.A : c < 4 ? row.B : c < 6 ? row.C : row.D;
        return (c & 1) == 0 ? HalfBits.Low(word) : HalfBits.High(word);
    }
}

/// <summary>
/// float16 → float32 on the device, exact for every finite half (stores hold no infinities or NaNs): the same
/// rebias trick as the CPU's HalfWidening (magnitude bits to float bit 13, times 2^112, sign to bit 31), written
/// with integer operations that every ILGPU backend supports.
/// </summary>
internal static class HalfBits
{
    /// <summary>2^112: float exponent field 127 + 112.</summary>
    private const uint RebiasBits = (127 + 112) << 23;

    public static float Low(uint word) => Widen(word & 0xFFFF);

    public static float High(uint word) => Widen(word >> 16);

    private static float Widen(uint half)
    {
        float magnitude = Interop.IntAsFloat((half & 0x7FFF) << 13) * Interop.IntAsFloat(RebiasBits);
        return Interop.IntAsFloat(Interop.FloatAsInt(magnitude) | ((half & 0x8000) << 16));
    }
}
