using ILGPU;

namespace VectorDb.Gpu.Kernels;

/// <summary>
/// Exact scoring kernels. Layout: rows are slot-major, <c>ChunksPerRow</c> 16-byte chunks each; queries are
/// float32, padded to the same coordinate stride; scores are query-major (<c>scores[q · SlotCount + slot]</c> in
/// brute-force mode, <c>scores[pair]</c> otherwise). A slot that is not resident or not live scores NaN.
/// </summary>
internal static class ScoreKernels
{
    /// <summary>Rows per tile and queries per tile in <see cref="ScoreTiled{TLoad, TPair}"/>.</summary>
    public const int TileRows = 64;

    /// <summary>Queries per tile in <see cref="ScoreTiled{TLoad, TPair}"/>.</summary>
    public const int TileQueries = 64;

    /// <summary>Coordinates per shared-memory step in <see cref="ScoreTiled{TLoad, TPair}"/>.</summary>
    public const int TileDepth = 16;

    /// <summary>Threads per group of the tiled kernel: 16 × 16, each computing 4 rows × 4 queries.</summary>
    public const int TileThreads = 256;

    /// <summary>
    /// One warp per (query, slot) pair, grid-stride over pairs. Lane l reads chunks l, l + 32, … of the row: 32
    /// consecutive 16-byte loads per warp step (512 contiguous bytes, fully coalesced), then a shuffle reduction.
    /// Memory-bound for one query; the effective rate is bytes of rows read / kernel time.
    /// </summary>
    public static void ScorePairs<TRow>(
        ArrayView<Chunk16> rows, ArrayView<float> norms, ArrayView<int> live, ArrayView<Float4> queries,
        ArrayView<float> queryNorms, ArrayView<int> slots, ArrayView<int> pairQueries, ArrayView<float> scores,
        ScoreParameters p)
        where TRow : struct, IRowOp
    {
        int lane = Warp.LaneIdx;
        int warpSize = Warp.WarpSize;
        int warpsPerGroup = Group.DimX / warpSize;
        long warpCount = (long)Grid.DimX * warpsPerGroup;
        TRow op = default;
        for (long pair = (long)Grid.IdxX * warpsPerGroup + Warp.WarpIdx; pair < p.PairCount; pair += warpCount)
        {
            int slot, query;
            if (p.IdentitySlots != 0)
            {
                query = (int)(pair / p.SlotCount);
                slot = (int)(pair - (long)query * p.SlotCount);
            }
            else
            {
                slot = slots[pair];
                query = pairQueries[pair];
            }
            // Uniform across the warp (one pair per warp), so the branch never diverges.
            bool valid = slot < p.SlotCapacity && live[slot] != 0;
            float sum = 0f;
            if (valid)
            {
                long rowBase = (long)slot * p.ChunksPerRow;
                long queryBase = (long)query * p.Float4PerQuery;
                int chunk = lane;
                // Two chunks per iteration keep two independent 16-byte loads in flight per lane.
                for (; chunk + warpSize < p.ChunksPerRow; chunk += 2 * warpSize)
                {
                    Chunk16 first = rows[rowBase + chunk];
                    Chunk16 second = rows[rowBase + chunk + warpSize];
                    sum = op.Accumulate(sum, first, queries, queryBase, chunk);
                    sum = op.Accumulate(sum, second, queries, queryBase, chunk + warpSize);
                }
                if (chunk < p.ChunksPerRow)
                {
                    sum = op.Accumulate(sum, rows[rowBase + chunk], queries, queryBase, chunk);
                }
            }
            for (int offset = warpSize / 2; offset > 0; offset /= 2)
            {
                sum += Warp.ShuffleDown(sum, offset);
            }
            if (lane == 0)
            {
                scores[pair] = valid ? Finish(sum, p.Metric, norms[slot], queryNorms[query]) : float.NaN;
            }
        }
    }

    /// <summary>
    /// Brute force for many queries at once: a 64-slot × 64-query tile per group, 16 coordinates per step staged in
    /// shared memory, each thread accumulating 4 × 4 results in registers, so every row is read from device memory
    /// once per 64 queries. Results are staged in shared memory and written query-major with coalesced stores.
    /// Grid: (ceil(SlotCount / 64) · ceil(QueryCount / 64)) groups of 256 threads; group g handles slot tile
    /// g % slotTiles and query tile g / slotTiles.
    /// </summary>
    public static void ScoreTiled<TLoad, TPair>(
        ArrayView<Chunk16> rows, ArrayView<float> norms, ArrayView<int> live, ArrayView<Float4> queries,
        ArrayView<float> queryNorms, ArrayView<float> scores, ScoreParameters p, int queryCount)
        where TLoad : struct, IRowOp
        where TPair : struct, IPairOp
    {
        ArrayView<float> rowTile = SharedMemory.Allocate<float>(TileDepth * TileRows);
        ArrayView<float> queryTile = SharedMemory.Allocate<float>(TileDepth * TileQueries);
        ArrayView<float> results = SharedMemory.Allocate<float>(TileQueries * (TileRows + 1));

        int thread = Group.IdxX;
        int slotTiles = (p.SlotCount + TileRows - 1) / TileRows;
        int firstSlot = Grid.IdxX % slotTiles * TileRows;
        int firstQuery = Grid.IdxX / slotTiles * TileQueries;
        int tx = thread % 16, ty = thread / 16;
        int coordinatesPerChunk = p.Float4PerQuery * 4 / p.ChunksPerRow;
        TLoad load = default;
        TPair op = default;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        int stride = p.Float4PerQuery * 4;
        for (int depth = 0; depth < stride; depth += TileDepth)
        {
            // Rows: TileRows × TileDepth coordinates = 64 · 16 / coordinatesPerChunk chunk loads.
            int chunksPerStep = TileDepth / coordinatesPerChunk;
            if (thread < TileRows * chunksPerStep)
            {
                int row = thread / chunksPerStep;
                int chunkInStep = thread % chunksPerStep;
                int slot = firstSlot + row;
                int chunk = depth / coordinatesPerChunk + chunkInStep;
                bool inside = slot < p.SlotCount && slot < p.SlotCapacity && chunk < p.ChunksPerRow;
                Chunk16 data = inside ? rows[(long)slot * p.ChunksPerRow + chunk] : default;
                for (int c = 0; c < coordinatesPerChunk; c++)
                {
                    rowTile[(chunkInStep * coordinatesPerChunk + c) * TileRows + row] = load.Coordinate(data, c);
                }
            }
            // Queries: TileQueries × TileDepth floats = 256 Float4 loads, one per thread.
            {
                int query = thread / (TileDepth / 4);
                int part = thread % (TileDepth / 4);
                int globalQuery = firstQuery + query;
                int float4Index = depth / 4 + part;
                Float4 q = globalQuery < queryCount && float4Index < p.Float4PerQuery
                    ? queries[(long)globalQuery * p.Float4PerQuery + float4Index] : default;
                queryTile[(part * 4 + 0) * TileQueries + query] = q.X;
                queryTile[(part * 4 + 1) * TileQueries + query] = q.Y;
                queryTile[(part * 4 + 2) * TileQueries + query] = q.Z;
                queryTile[(part * 4 + 3) * TileQueries + query] = q.W;
            }
            Group.Barrier();
            for (int k = 0; k < TileDepth; k++)
            {
                int rowBase = k * TileRows + ty * 4;
                int queryBase = k * TileQueries + tx * 4;
                float a0 = rowTile[rowBase], a1 = rowTile[rowBase + 1], a2 = rowTile[rowBase + 2], a3 = rowTile[rowBase + 3];
                float b0 = queryTile[queryBase], b1 = queryTile[queryBase + 1], b2 = queryTile[queryBase + 2], b3 = queryTile[queryBase + 3];
                c00 = op.Accumulate(c00, a0, b0); c01 = op.Accumulate(c01, a0, b1); c02 = op.Accumulate(c02, a0, b2); c03 = op.Accumulate(c03, a0, b3);
                c10 = op.Accumulate(c10, a1, b0); c11 = op.Accumulate(c11, a1, b1); c12 = op.Accumulate(c12, a1, b2); c13 = op.Accumulate(c13, a1, b3);
                c20 = op.Accumulate(c20, a2, b0); c21 = op.Accumulate(c21, a2, b1); c22 = op.Accumulate(c22, a2, b2); c23 = op.Accumulate(c23, a2, b3);
                c30 = op.Accumulate(c30, a3, b0); c31 = op.Accumulate(c31, a3, b1); c32 = op.Accumulate(c32, a3, b2); c33 = op.Accumulate(c33, a3, b3);
            }
            Group.Barrier();
        }

        // Stage results[query][row] (rows padded to 65 against bank conflicts), then write query-major.
        int r0 = ty * 4, q0 = tx * 4;
        const int Pitch = TileRows + 1;
        results[(q0 + 0) * Pitch + r0 + 0] = c00; results[(q0 + 1) * Pitch + r0 + 0] = c01; results[(q0 + 2) * Pitch + r0 + 0] = c02; results[(q0 + 3) * Pitch + r0 + 0] = c03;
        results[(q0 + 0) * Pitch + r0 + 1] = c10; results[(q0 + 1) * Pitch + r0 + 1] = c11; results[(q0 + 2) * Pitch + r0 + 1] = c12; results[(q0 + 3) * Pitch + r0 + 1] = c13;
        results[(q0 + 0) * Pitch + r0 + 2] = c20; results[(q0 + 1) * Pitch + r0 + 2] = c21; results[(q0 + 2) * Pitch + r0 + 2] = c22; results[(q0 + 3) * Pitch + r0 + 2] = c23;
        results[(q0 + 0) * Pitch + r0 + 3] = c30; results[(q0 + 1) * Pitch + r0 + 3] = c31; results[(q0 + 2) * Pitch + r0 + 3] = c32; results[(q0 + 3) * Pitch + r0 + 3] = c33;
        Group.Barrier();
        for (int i = thread; i < TileQueries * TileRows; i += TileThreads)
        {
            int query = i / TileRows, row = i % TileRows;
            int globalQuery = firstQuery + query, slot = firstSlot + row;
            if (globalQuery < queryCount && slot < p.SlotCount)
            {
                bool valid = slot < p.SlotCapacity && live[slot] != 0;
                float raw = results[query * Pitch + row];
                scores[(long)globalQuery * p.SlotCount + slot] =
                    valid ? Finish(raw, p.Metric, norms[slot], queryNorms[globalQuery]) : float.NaN;
            }
        }
    }

    /// <summary>Applies the metric's final step: cosine divides by the norms (0 when either is 0).</summary>
    private static float Finish(float raw, int metric, float rowNorm, float queryNorm)
    {
        if (metric != 1)
        {
            return raw;
        }
        float denominator = rowNorm * queryNorm;
        return denominator > 0f ? raw / denominator : 0f;
    }
}
