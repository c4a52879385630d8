using System.Runtime.InteropServices;

namespace VectorDb.Gpu.Kernels;

/// <summary>16 raw bytes of a stored row: 4 float32 coordinates or 8 float16 coordinates. Rows on the device are
/// padded with zeros to a whole number of chunks, so every chunk load is 16-byte aligned and coalesced across a
/// warp, and padding adds exactly 0 to a dot product or a squared distance.</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct Chunk16
{
    public uint A;
    public uint B;
    public uint C;
    public uint D;
}

/// <summary>4 float32 query coordinates (queries are always float32 on the device, padded like rows).</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct Float4
{
    public float X;
    public float Y;
    public float Z;
    public float W;
}

/// <summary>Scalars shared by the scoring kernels (one struct keeps the kernel signatures short).</summary>
internal struct ScoreParameters
{
    /// <summary>Number of (query, slot) pairs to score.</summary>
    public long PairCount;

    /// <summary>Row length in 16-byte chunks (queries use the same coordinate stride).</summary>
    public int ChunksPerRow;

    /// <summary>Query length in <see cref="Float4"/> units (= coordinate stride / 4).</summary>
    public int Float4PerQuery;

    /// <summary>Slots resident on the device; larger slots score NaN.</summary>
    public int SlotCapacity;

    /// <summary>Brute-force mode: pair p is slot p % SlotCount of query p / SlotCount (no slot list is read).</summary>
    public int IdentitySlots;

    /// <summary>Slots scored per query in brute-force mode.</summary>
    public int SlotCount;

    /// <summary>(int)Metric: 0 inner product, 1 cosine, 2 squared L2.</summary>
    public int Metric;
}
