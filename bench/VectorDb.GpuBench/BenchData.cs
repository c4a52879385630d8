using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.GpuBench;

/// <summary>Seeded synthetic data: coordinates uniform in [−1, 1) from SplitMix64, one generator per row (so rows
/// can be generated in parallel and are the same on every run and machine).</summary>
internal static class BenchData
{
    public static float[] Rows(int count, int dimension, ulong seed)
    {
        var data = new float[(long)count * dimension];
        Parallel.For(0, count, row =>
        {
            var random = new SplitMix64(seed ^ ((ulong)row * 0x9E3779B97F4A7C15UL));
            Span<float> target = data.AsSpan((int)((long)row * dimension), dimension);
            for (int j = 0; j < target.Length; j++)
            {
                target[j] = (float)(random.NextDouble() * 2 - 1);
            }
        });
        return data;
    }

    public static OriginalVectorStore Store(float[] rows, int dimension, OriginalsFormat precision)
    {
        var store = new OriginalVectorStore(dimension, precision);
        int count = rows.Length / dimension;
        for (int slot = 0; slot < count; slot++)
        {
            store.Upsert(slot, rows.AsSpan(slot * dimension, dimension));
        }
        return store;
    }

    /// <summary>Random candidate lists: <paramref name="perQuery"/> distinct-enough slots per query in CSR form.</summary>
    public static (int[] Offsets, int[] Slots) Candidates(int queries, int perQuery, int slotCount, ulong seed)
    {
        var random = new SplitMix64(seed);
        var offsets = new int[queries + 1];
        var slots = new int[queries * perQuery];
        for (int q = 0; q < queries; q++)
        {
            offsets[q + 1] = (q + 1) * perQuery;
            for (int i = 0; i < perQuery; i++)
            {
                slots[q * perQuery + i] = random.NextInt(slotCount);
            }
        }
        return (offsets, slots);
    }
}
