using System.Buffers;
using VectorDb.Index.Common;
using VectorDb.Index.Search;

namespace VectorDb.Index.Rerank;

/// <summary>The row table's side of scoring originals kept elsewhere: which rows are live and their point ids.
/// Called under the index's lock, once per batch of rows (never per row).</summary>
internal interface IRowIds
{
    /// <summary>Rows ever written (slots 0 .. RowCount − 1, deleted ones included).</summary>
    int RowCount { get; }

    /// <summary>The live rows among <paramref name="rows"/>: their point ids packed to the front of
    /// <paramref name="ids"/> and their indexes in <paramref name="rows"/> in <paramref name="positions"/>; returns
    /// how many.</summary>
    int LiveIds(ReadOnlySpan<int> rows, Span<ulong> ids, Span<int> positions);
}

/// <summary>
/// <see cref="IExactScorer"/> over originals read through an <see cref="IOriginalReader"/> (the storage layer's blob
/// log) when the index does not hold them in memory: slots (rows) are mapped to ids, read in batches of
/// <see cref="Batch"/>, and scored by <see cref="ExactRowScoring"/>, the row arithmetic of <see cref="ExactScorer"/>
/// at the same SIMD level, so scores are bit-identical to the in-memory scorer's. A slot that is not live, or whose
/// id the reader no longer has, scores NaN.
/// </summary>
/// <param name="rows">The index's rows (live and their ids).</param>
/// <param name="dimension">d.</param>
/// <param name="metric">The metric scored.</param>
/// <param name="reader">Where the originals are read from.</param>
/// <param name="precision">How the reader returns them.</param>
/// <param name="level">Kernel width.</param>
internal sealed class StoredOriginalsScorer(IRowIds rows, int dimension, Metric metric, IOriginalReader reader,
    OriginalsFormat precision, SimdLevel level) : CpuExactScorerBase
{
    /// <summary>Candidates read from the <see cref="IOriginalReader"/> per call (bounds the scratch per search).</summary>
    public const int Batch = 64;

    private readonly int _width = dimension * OriginalVectorStore.BytesPerCoordinateOf(precision);

    public override int Dimension => dimension;

    public override Metric Metric => metric;

    public override string Backend => $"cpu {level}, originals read from storage";

    protected override int SearchAllUnchecked(ReadOnlySpan<float> query, Span<ScoredSlot> best)
    {
        var all = new int[rows.RowCount];
        for (int row = 0; row < all.Length; row++)
        {
            all[row] = row;
        }
        return RerankUnchecked(query, all, best); // dead rows score NaN, which the selector skips
    }

    protected override int RerankUnchecked(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<ScoredSlot> best)
    {
        var selector = new TopKSelector(best, Metric.SmallerIsBetter());
        Span<float> scores = stackalloc float[Batch];
        for (int start = 0; start < slots.Length; start += Batch)
        {
            var chunk = slots.Slice(start, Math.Min(Batch, slots.Length - start));
            ScoreUnchecked(query, chunk, scores[..chunk.Length]);
            for (int i = 0; i < chunk.Length; i++)
            {
                selector.Add(chunk[i], scores[i]);
            }
        }
        return selector.Finish();
    }

    protected override void ScoreUnchecked(ReadOnlySpan<float> query, ReadOnlySpan<int> slots, Span<float> scores)
    {
        Span<ulong> ids = stackalloc ulong[Batch];
        Span<bool> found = stackalloc bool[Batch];
        Span<int> position = stackalloc int[Batch];
        Span<float> packed = stackalloc float[Batch];
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Batch * _width);
        try
        {
            for (int start = 0; start < slots.Length; start += Batch)
            {
                int count = Math.Min(Batch, slots.Length - start);
                // Only live slots are read (packed to the front); a dead slot scores NaN.
                int live = rows.LiveIds(slots.Slice(start, count), ids, position);
                reader.Read(ids[..live], buffer.AsSpan(0, live * _width), found[..live]);
                var output = scores.Slice(start, count);
                output.Fill(float.NaN);
                ExactRowScoring.ScorePacked(level, metric, precision, query, buffer.AsSpan(0, live * _width), found[..live], packed[..live]);
                for (int j = 0; j < live; j++)
                {
                    output[position[j]] = packed[j];
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
