using ILGPU;
using ILGPU.Runtime;
using VectorDb.Gpu.Kernels;
using VectorDb.Index.Rerank;

namespace VectorDb.Gpu;

/// <summary>The <see cref="IExactScorer"/> calls: validate, then run on the device or on the CPU fallback.</summary>
public sealed partial class GpuExactScorer
{
    /// <inheritdoc/>
    public void Score(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<float> scores)
    {
        ExactScorerArguments.ValidateQuery(query, Dimension);
        ExactScorerArguments.ValidateSlots(slots, scores.Length, nameof(scores));
        if (!TryScoreOnDevice(query, slots, scores))
        {
            Cpu.Score(query, slots, scores);
        }
    }

    /// <summary><see cref="Score(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float})"/> of a query the index checked:
    /// its length is checked, its coordinates are not checked again (nor by the CPU fallback).</summary>
    public void Score(CheckedScorerQuery query, ReadOnlySpan<int> slots, Span<float> scores)
    {
        ExactScorerArguments.ValidateQueryLength(query.Values, Dimension);
        ExactScorerArguments.ValidateSlots(slots, scores.Length, nameof(scores));
        if (!TryScoreOnDevice(query.Values, slots, scores))
        {
            Cpu.Score(query, slots, scores);
        }
    }

    /// <summary>Scores one query's candidates on the device; false, with nothing written, when it is not usable.</summary>
    private bool TryScoreOnDevice(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<float> scores)
    {
        ReadOnlySpan<int> offsets = [0, slots.Length];
        lock (_gate)
        {
            if (!TryUseDevice())
            {
                return false;
            }
            ScorePairsOnDevice(query, offsets, slots, scores);
            return true;
        }
    }

    /// <inheritdoc/>
    public void ScoreBatch(ReadOnlySpan<float> queries, ReadOnlySpan<int> candidateOffsets, ReadOnlySpan<int> slots, Span<float> scores)
    {
        ExactScorerArguments.ValidateBatch(queries, candidateOffsets, slots, Dimension);
        ExactScorerArguments.ValidateSlots(slots, scores.Length, nameof(scores));
        lock (_gate)
        {
            if (!TryUseDevice())
            {
                Cpu.ScoreBatch(queries, candidateOffsets, slots, scores);
                return;
            }
            ScorePairsOnDevice(queries, candidateOffsets, slots, scores);
        }
    }

    /// <inheritdoc/>
    public int Rerank(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<ScoredSlot> best)
    {
        ExactScorerArguments.ValidateQuery(query, Dimension);
        ExactScorerArguments.ValidateSlots(slots, slots.Length, nameof(slots));
        return TryRerankOnDevice(query, slots, best, out int found) ? found : Cpu.Rerank(query, slots, best);
    }

    /// <summary><see cref="Rerank(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{ScoredSlot})"/> of a query the index
    /// checked: its length is checked, its coordinates are not checked again (nor by the CPU fallback).</summary>
    public int Rerank(CheckedScorerQuery query, ReadOnlySpan<int> slots, Span<ScoredSlot> best)
    {
        ExactScorerArguments.ValidateQueryLength(query.Values, Dimension);
        ExactScorerArguments.ValidateSlots(slots, slots.Length, nameof(slots));
        return TryRerankOnDevice(query.Values, slots, best, out int found) ? found : Cpu.Rerank(query, slots, best);
    }

    /// <summary>Re-ranks one query's candidates on the device; false, with nothing written, when it is not usable.</summary>
    private bool TryRerankOnDevice(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<ScoredSlot> best, out int found)
    {
        ReadOnlySpan<int> offsets = [0, slots.Length];
        lock (_gate)
        {
            if (!TryUseDevice())
            {
                found = 0;
                return false;
            }
            Span<float> scores = EnsureHost(ref _hostScores, slots.Length).AsSpan(0, slots.Length);
            ScorePairsOnDevice(query, offsets, slots, scores);
            found = Select(slots, scores, best);
            return true;
        }
    }

    /// <inheritdoc/>
    public void RerankBatch(ReadOnlySpan<float> queries, ReadOnlySpan<int> candidateOffsets, ReadOnlySpan<int> slots, int k,
        Span<ScoredSlot> best, Span<int> counts)
    {
        int queryCount = ExactScorerArguments.ValidateBatch(queries, candidateOffsets, slots, Dimension);
        ExactScorerArguments.ValidateTopKOutput(queryCount, k, best.Length, counts.Length);
        lock (_gate)
        {
            if (!TryUseDevice())
            {
                Cpu.RerankBatch(queries, candidateOffsets, slots, k, best, counts);
                return;
            }
            Span<float> scores = EnsureHost(ref _hostScores, slots.Length).AsSpan(0, slots.Length);
            ScorePairsOnDevice(queries, candidateOffsets, slots, scores);
            for (int q = 0; q < queryCount; q++)
            {
                Range range = candidateOffsets[q]..candidateOffsets[q + 1];
                counts[q] = Select(slots[range], scores[range], best.Slice(q * k, k));
            }
        }
    }

    /// <inheritdoc/>
    public int SearchAll(ReadOnlySpan<float> query, Span<ScoredSlot> best)
    {
        Span<int> count = stackalloc int[1];
        SearchAllBatch(query, best.Length, best, count);
        return count[0];
    }

    /// <inheritdoc/>
    public void SearchAllBatch(ReadOnlySpan<float> queries, int k, Span<ScoredSlot> best, Span<int> counts)
    {
        int queryCount = ExactScorerArguments.ValidateQueries(queries, Dimension);
        ExactScorerArguments.ValidateTopKOutput(queryCount, k, best.Length, counts.Length);
        lock (_gate)
        {
            if (!TryUseDevice())
            {
                Cpu.SearchAllBatch(queries, k, best, counts);
                return;
            }
            int slotCount = _mirror.SlotCount;
            if (k == 0 || slotCount == 0)
            {
                counts[..queryCount].Clear();
                return;
            }
            // The score matrix of a chunk of queries takes at most half the working budget.
            int chunk = (int)Math.Clamp(_maxWorkingBytes / 2 / ((long)slotCount * sizeof(float)), 1, queryCount);
            TimeSpan scoreTime = TimeSpan.Zero, selectTime = TimeSpan.Zero;
            for (int first = 0; first < queryCount; first += chunk)
            {
                int count = Math.Min(chunk, queryCount - first);
                UploadQueries(queries.Slice(first * Dimension, count * Dimension), count);
                scoreTime += count == 1 ? LaunchPairs(slotCount, identity: true, slotCount) : LaunchTiled(count, slotCount);
                selectTime += SelectOnDeviceOrHost(count, slotCount, k, best.Slice(first * k, count * k), counts.Slice(first, count));
            }
            LastKernelTimes = new KernelTimes(scoreTime, selectTime);
        }
    }

    /// <summary>Scores CSR candidate lists with the warp-per-pair kernel and copies the scores to the host.</summary>
    private void ScorePairsOnDevice(ReadOnlySpan<float> queries, ReadOnlySpan<int> offsets, ReadOnlySpan<int> slots, Span<float> scores)
    {
        int queryCount = offsets.Length - 1;
        int pairCount = slots.Length;
        if (pairCount == 0)
        {
            return;
        }
        UploadQueries(queries, queryCount);
        int[] pairQueries = EnsureHost(ref _hostPairQueries, pairCount);
        for (int q = 0; q < queryCount; q++)
        {
            pairQueries.AsSpan(offsets[q], offsets[q + 1] - offsets[q]).Fill(q);
        }
        View(Ensure(ref _slots, pairCount), pairCount).CopyFromCPU(slots);
        View(Ensure(ref _pairQueries, pairCount), pairCount).CopyFromCPU(pairQueries.AsSpan(0, pairCount));
        TimeSpan time = LaunchPairs(pairCount, identity: false, _mirror.SlotCount);
        View<float>(_scores!.View, pairCount).CopyToCPU(scores);
        LastKernelTimes = new KernelTimes(time, TimeSpan.Zero);
    }

    /// <summary>Top k of each query's row of the score matrix: segment survivors from the device merged on the host
    /// for k ≤ <see cref="MaxDeviceK"/>, else a host selection over the whole row.</summary>
    private TimeSpan SelectOnDeviceOrHost(int queryCount, int slotCount, int k, Span<ScoredSlot> best, Span<int> counts)
    {
        bool smallerIsBetter = Metric.SmallerIsBetter();
        if (k <= MaxDeviceK)
        {
            (int perQuery, TimeSpan time) = LaunchSegmentTopK(queryCount, slotCount, k);
            for (int q = 0; q < queryCount; q++)
            {
                var selector = new TopKSelector(best.Slice(q * k, k), smallerIsBetter);
                for (int i = q * perQuery; i < (q + 1) * perQuery; i++)
                {
                    if (_hostTopSlots[i] >= 0)
                    {
                        selector.Add(_hostTopSlots[i], _hostTopScores[i]);
                    }
                }
                counts[q] = selector.Finish();
            }
            return time;
        }
        long total = (long)queryCount * slotCount;
        float[] host = EnsureHost(ref _hostScores, total);
        View<float>(_scores!.View, total).CopyToCPU(host.AsSpan(0, (int)total));
        for (int q = 0; q < queryCount; q++)
        {
            var selector = new TopKSelector(best.Slice(q * k, k), smallerIsBetter);
            ReadOnlySpan<float> row = host.AsSpan(q * slotCount, slotCount);
            for (int slot = 0; slot < slotCount; slot++)
            {
                selector.Add(slot, row[slot]);
            }
            counts[q] = selector.Finish();
        }
        return TimeSpan.Zero;
    }

    private int Select(ReadOnlySpan<int> slots, ReadOnlySpan<float> scores, Span<ScoredSlot> best)
    {
        var selector = new TopKSelector(best, Metric.SmallerIsBetter());
        for (int i = 0; i < slots.Length; i++)
        {
            selector.Add(slots[i], scores[i]);
        }
        return selector.Finish();
    }
}
