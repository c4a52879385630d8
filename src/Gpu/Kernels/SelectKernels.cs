using ILGPU;

namespace VectorDb.Gpu.Kernels;

/// <summary>Scalars of <see cref="SelectKernels.SegmentTopK"/>.</summary>
internal struct TopKParameters
{
    /// <summary>Scores per query (the score matrix is query-major, SlotCount wide).</summary>
    public int SlotCount;

    /// <summary>Scores per segment, at most <see cref="SelectKernels.MaxSegmentSize"/>.</summary>
    public int SegmentSize;

    /// <summary>Segments per query: ceil(SlotCount / SegmentSize).</summary>
    public int Segments;

    /// <summary>Results kept per segment.</summary>
    public int K;

    /// <summary>1 for squared L2 (smaller is better), else 0.</summary>
    public int SmallerIsBetter;
}

/// <summary>
/// First stage of exact top-k on the device: every segment of (up to <see cref="MaxSegmentSize"/>) scores of one query is
/// loaded into shared memory and its k best are extracted by k rounds of a group-wide arg-max (each thread keeps the
/// best of its own 32 entries, so a round costs one warp shuffle reduction and one rescan by the winning thread).
/// The host merges the k · segments survivors per query with the same ordering as the CPU (best score, ties to the
/// smaller slot; NaN — deleted or unknown — never selected). Cost grows with k; intended for k up to a few hundred.
/// </summary>
internal static class SelectKernels
{
    /// <summary>Threads per group.</summary>
    public const int Threads = 256;

    /// <summary>Entries per thread (held in shared memory) at the largest segment.</summary>
    public const int ItemsPerThread = 32;

    /// <summary>Largest segment: 8192 floats = 32 KiB of shared memory (the production segment size).</summary>
    public const int MaxSegmentSize = Threads * ItemsPerThread;

    /// <summary>Grid: Segments × queryCount groups of <see cref="Threads"/>. Output for (query, segment) is
    /// <c>[(query · Segments + segment) · K, … + K)</c>; missing entries get slot −1 and score NaN.</summary>
    public static void SegmentTopK(ArrayView<float> scores, ArrayView<int> outSlots, ArrayView<float> outScores, TopKParameters p)
    {
        ArrayView<float> keys = SharedMemory.Allocate<float>(MaxSegmentSize);
        ArrayView<float> warpKeys = SharedMemory.Allocate<float>(Threads);
        ArrayView<int> warpIndices = SharedMemory.Allocate<int>(Threads);
        ArrayView<int> winner = SharedMemory.Allocate<int>(1);

        int thread = Group.IdxX;
        int threads = Group.DimX;
        int query = Grid.IdxX / p.Segments;
        int segment = Grid.IdxX % p.Segments;
        int segmentSize = p.SegmentSize;
        int first = segment * segmentSize;
        long scoreBase = (long)query * p.SlotCount;
        for (int i = thread; i < segmentSize; i += threads)
        {
            int slot = first + i;
            float key = float.NaN;
            if (slot < p.SlotCount)
            {
                float score = scores[scoreBase + slot];
                key = p.SmallerIsBetter != 0 ? -score : score;
            }
            keys[i] = key;
        }
        Group.Barrier();

        float bestKey = float.NaN;
        int bestIndex = -1;
        for (int i = thread; i < segmentSize; i += threads)
        {
            if (IsBetter(keys[i], i, bestKey, bestIndex))
            {
                bestKey = keys[i];
                bestIndex = i;
            }
        }

        long outBase = ((long)query * p.Segments + segment) * p.K;
        int warpSize = Warp.WarpSize;
        for (int round = 0; round < p.K; round++)
        {
            float key = bestKey;
            int index = bestIndex;
            for (int offset = warpSize / 2; offset > 0; offset /= 2)
            {
                float otherKey = Warp.ShuffleDown(key, offset);
                int otherIndex = Warp.ShuffleDown(index, offset);
                if (IsBetter(otherKey, otherIndex, key, index))
                {
                    key = otherKey;
                    index = otherIndex;
                }
            }
            if (Warp.LaneIdx == 0)
            {
                warpKeys[Warp.WarpIdx] = key;
                warpIndices[Warp.WarpIdx] = index;
            }
            Group.Barrier();
            if (thread == 0)
            {
                float groupKey = float.NaN;
                int groupIndex = -1;
                for (int w = 0; w < threads / warpSize; w++)
                {
                    if (IsBetter(warpKeys[w], warpIndices[w], groupKey, groupIndex))
                    {
                        groupKey = warpKeys[w];
                        groupIndex = warpIndices[w];
                    }
                }
                winner[0] = groupIndex;
                outSlots[outBase + round] = groupIndex >= 0 ? first + groupIndex : -1;
                outScores[outBase + round] = groupIndex < 0 ? float.NaN : p.SmallerIsBetter != 0 ? -groupKey : groupKey;
            }
            Group.Barrier();
            int taken = winner[0];
            if (taken >= 0 && taken % threads == thread)
            {
                keys[taken] = float.NaN;
                bestKey = float.NaN;
                bestIndex = -1;
                for (int i = thread; i < segmentSize; i += threads)
                {
                    if (IsBetter(keys[i], i, bestKey, bestIndex))
                    {
                        bestKey = keys[i];
                        bestIndex = i;
                    }
                }
            }
        }
    }

    /// <summary>a beats b: a is a number and b is NaN, or a is larger, or equal with the smaller index.</summary>
    private static bool IsBetter(float keyA, int indexA, float keyB, int indexB) =>
        !float.IsNaN(keyA) && (float.IsNaN(keyB) || keyA > keyB || (keyA == keyB && indexA < indexB));
}
