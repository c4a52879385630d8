using System.Runtime.CompilerServices;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

public sealed partial class VectorIndex
{
    /// <summary>The scratches of one group of batched queries (on the stack).</summary>
    [InlineArray(FastScanKernel.BatchQueries)]
    private struct ScratchGroup
    {
        private QueryScratch _element;
    }

    /// <summary>One group's scorers, handed to the batched scan as a span (on the stack).</summary>
    [InlineArray(FastScanKernel.BatchQueries)]
    private struct ScorerGroup
    {
        private IBlockScorer _element;
    }

    /// <summary>One group's collectors (on the stack).</summary>
    [InlineArray(FastScanKernel.BatchQueries)]
    private struct CollectorGroup
    {
        private TopK _element;
    }

    /// <summary>
    /// Searches many queries: the results of query i are exactly those of
    /// <see cref="Search(ReadOnlySpan{float}, SearchOptions, RowMask?)"/> for that query (same ids, same
    /// scores). A flat index whose codes the fast scan reads (1, 2 or 4 bits) scans them once per four queries at
    /// 512 bits and once per two at 256, instead of once per query, which is what makes a batch faster per query
    /// (docs/scan.md); any other index or level searches the queries one by one.
    /// </summary>
    /// <param name="queries">The queries one after another (a multiple of <see cref="Dimension"/> floats).</param>
    /// <param name="options">Options for every query (<see cref="SearchOptions.Threads"/> &gt; 1 searches one by one).</param>
    /// <exception cref="ArgumentException">A wrong total length, a non-finite coordinate or invalid options; nothing
    /// is searched then.</exception>
    public SearchResult[] SearchBatch(ReadOnlySpan<float> queries, SearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SearchBatchChecked(queries, options, ValidateBatch(queries, options));
    }

    /// <summary>The batch search of <see cref="SearchBatch(ReadOnlySpan{float}, SearchOptions)"/> for queries this index
    /// has checked (<see cref="Check"/>) with the same options: nothing is checked again.</summary>
    /// <exception cref="ArgumentException">A query checked by another index, or queries with different options.</exception>
    public SearchResult[] SearchBatch(ReadOnlySpan<CheckedQuery> queries)
    {
        if (queries.IsEmpty)
        {
            return [];
        }
        SearchOptions options = queries[0].Options;
        var packed = new float[queries.Length * Dimension];
        for (int i = 0; i < queries.Length; i++)
        {
            ThrowIfNotChecked(queries[i]);
            if (!queries[i].Options.Equals(options))
            {
                throw new ArgumentException("every query of a checked batch must have the same options.", nameof(queries));
            }
            queries[i].Vector.Span.CopyTo(packed.AsSpan(i * Dimension));
        }
        return SearchBatchChecked(packed, options, queries.Length);
    }

    /// <summary>Width of the batched scan: queries scanned together in one pass over the codes (at most; fewer where
    /// the SIMD level is narrower). Callers that group queries for <see cref="SearchBatch(ReadOnlySpan{CheckedQuery})"/>
    /// group this many.</summary>
    public static int BatchWidth => FastScanKernel.BatchQueries;

    private SearchResult[] SearchBatchChecked(ReadOnlySpan<float> queries, SearchOptions options, int count)
    {
        var hits = new SearchHit[count * options.K];
        var found = new int[count];
        var statistics = new SearchStatistics[count];
        SearchGroups(queries, options, count, hits, found, statistics);
        var results = new SearchResult[count];
        for (int i = 0; i < count; i++)
        {
            results[i] = new SearchResult(hits.AsSpan(i * options.K, found[i]).ToArray(), statistics[i].Reranked, statistics[i].Candidates);
        }
        return results;
    }

    /// <summary>
    /// The same writing query i's hits, best first, to <paramref name="hits"/>[i·k .. i·k + found[i]) and its
    /// statistics to <paramref name="statistics"/>[i]. Allocates nothing once the index's scratch is warm.
    /// </summary>
    public void SearchBatch(ReadOnlySpan<float> queries, SearchOptions options, Span<SearchHit> hits, Span<int> found,
        Span<SearchStatistics> statistics)
    {
        ArgumentNullException.ThrowIfNull(options);
        int count = ValidateBatch(queries, options);
        if (hits.Length < count * options.K || found.Length < count || statistics.Length < count)
        {
            throw new ArgumentException(
                $"{count} queries need room for {count * options.K} hits, {count} counts and {count} statistics; got {hits.Length}, {found.Length} and {statistics.Length}.");
        }
        SearchGroups(queries, options, count, hits, found, statistics);
    }

    /// <summary>Checked queries, by groups of <see cref="BatchWidth"/>.</summary>
    private void SearchGroups(ReadOnlySpan<float> queries, SearchOptions options, int count, Span<SearchHit> hits, Span<int> found,
        Span<SearchStatistics> statistics)
    {
        for (int first = 0; first < count; first += FastScanKernel.BatchQueries)
        {
            int group = Math.Min(FastScanKernel.BatchQueries, count - first);
            SearchGroup(queries.Slice(first * Dimension, group * Dimension), options, hits[(first * options.K)..],
                found.Slice(first, group), statistics.Slice(first, group));
        }
    }

    private int ValidateBatch(ReadOnlySpan<float> queries, SearchOptions options)
    {
        options.Validate();
        if (queries.Length % Dimension != 0)
        {
            throw new ArgumentException(
                $"queries holds {queries.Length} floats, not a multiple of the dimension {Dimension}.", nameof(queries));
        }
        int count = queries.Length / Dimension;
        for (int i = 0; i < count; i++)
        {
            ValidateQuery(queries.Slice(i * Dimension, Dimension));
        }
        return count;
    }

    // Up to four queries under one read lock: prepare each, scan them together when the batched kernel applies (else
    // one by one), then re-rank each as Search does.
    private void SearchGroup(ReadOnlySpan<float> queries, SearchOptions options, Span<SearchHit> hits, Span<int> found,
        Span<SearchStatistics> statistics)
    {
        int group = found.Length;
        ScratchGroup scratches = default;
        for (int q = 0; q < group; q++)
        {
            scratches[q] = RentScratch();
        }
        _lock.EnterReadLock();
        try
        {
            if (Count == 0)
            {
                found.Clear();
                statistics.Clear();
                return;
            }
            for (int q = 0; q < group; q++)
            {
                BeginQuery(queries.Slice(q * Dimension, Dimension), options, scratches[q]);
            }
            if (!TryScanTogether(scratches, group, options))
            {
                for (int q = 0; q < group; q++)
                {
                    Scan(scratches[q], options, rows: null);
                }
            }
            for (int q = 0; q < group; q++)
            {
                found[q] = FinishQuery(queries.Slice(q * Dimension, Dimension), options, scratches[q],
                    hits.Slice(q * options.K, options.K), out statistics[q]);
            }
        }
        finally
        {
            _lock.ExitReadLock();
            for (int q = 0; q < group; q++)
            {
                _scratch.Add(scratches[q]);
            }
        }
    }

    /// <summary>The batched scan of a group, when the index scans everything (one flat partition, or code lists) and its
    /// scorers qualify; false otherwise.</summary>
    private bool TryScanTogether(ScratchGroup scratches, int group, SearchOptions options)
    {
        if (options.Threads > 1 || group < 2)
        {
            return false;
        }
        return Partitions.Length == 1 ? TryScanOnePartitionTogether(scratches, group)
            : ScansAllLists && TryScanAllListsTogether(scratches, group, options);
    }

    /// <summary>Per query in a batch, its code lists' shifts (on the stack).</summary>
    [InlineArray(FastScanKernel.BatchQueries)]
    private struct ShiftGroup
    {
        private float[] _element;
    }

    /// <summary>
    /// The batched scan of the one partition: a flat index's codes, or pooled code lists with each query's blocks raised
    /// by its own centre terms (as <see cref="Scan"/> gives one query). False, with nothing scanned, when the scorers do
    /// not qualify for the batched kernel.
    /// </summary>
    private bool TryScanOnePartitionTogether(ScratchGroup scratches, int group)
    {
        ScorerGroup scorers = default;
        CollectorGroup collectors = default;
        for (int q = 0; q < group; q++)
        {
            scorers[q] = CachedScorer(0, scratches[q]);
            collectors[q] = scratches[q].Candidates!;
        }
        ReadOnlySpan<IBlockScorer> scorerSpan = ((ReadOnlySpan<IBlockScorer>)scorers)[..group];
        if (!FlatScan.CanSearchBatch(scorerSpan))
        {
            return false;
        }
        ShiftGroup shifts = default, work = default;
        scoped BatchBlockShifts blockShifts = default;
        if (_pooledLists is { } pooled)
        {
            float magnitude = 0;
            for (int q = 0; q < group; q++)
            {
                magnitude = MathF.Max(magnitude, ListShiftsOf(scratches[q], pooled).MaxMagnitude);
                shifts[q] = scratches[q].ListShifts;
                work[q] = scratches[q].ListWork;
                scratches[q].ProbedLists = pooled.ListCount;
            }
            blockShifts = new BatchBlockShifts(pooled.BlockLists, ((ReadOnlySpan<float[]>)shifts)[..group], magnitude,
                ((ReadOnlySpan<float[]>)work)[..group]);
        }
        CodePartition partition = Partitions[0];
        FlatScan.SearchFastScanBatch(scorerSpan, partition.Factors.Span, partition.Offsets.Span, partition.Deleted.Span,
            ((ReadOnlySpan<TopK>)collectors)[..group], partition.TermRange, PerRowTerms(partition), 0, blockShifts);
        return true;
    }

    /// <summary>
    /// The batched scan of lists that each have their own partition and are all scanned (a flat index given IVF lists by
    /// <see cref="TrainIvf"/>; code lists are pooled and take <see cref="TryScanOnePartitionTogether"/>): list by list,
    /// in list order (as
    /// <see cref="ListsToScan"/> gives one query), the group's queries scan each list together under that list's
    /// virtual ids, each collector shifted by its own query's centre term for the list. False, with nothing scanned,
    /// when the lists' scorers do not qualify for the batched kernel.
    /// </summary>
    private bool TryScanAllListsTogether(ScratchGroup scratches, int group, SearchOptions options)
    {
        ScorerGroup scorers = default;
        CollectorGroup collectors = default;
        ReadOnlySpan<IBlockScorer> scorerSpan = ((ReadOnlySpan<IBlockScorer>)scorers)[..group];
        for (int q = 0; q < group; q++)
        {
            scorers[q] = CachedScorer(0, scratches[q]);
        }
        if (!FlatScan.CanSearchBatch(scorerSpan))
        {
            return false;
        }
        for (int q = 0; q < group; q++)
        {
            collectors[q] = scratches[q].Candidates!;
            ReadOnlySpan<int> lists = ListsToScan(scratches[q], options);
            scratches[q].ProbedLists = lists.Length;
            // Every query scans the lists in list order, so the virtual id bases are the same for all of them.
            Span<int> bases = scratches[q].ProbeBases(lists.Length);
            for (int list = 0, virtualBase = 0; list < bases.Length; virtualBase += Partitions[list++].Count)
            {
                bases[list] = virtualBase;
            }
        }
        ReadOnlySpan<TopK> collectorSpan = ((ReadOnlySpan<TopK>)collectors)[..group];
        int listBase = 0;
        for (int list = 0; list < Partitions.Length; list++)
        {
            CodePartition partition = Partitions[list];
            if (partition.LiveCount > 0)
            {
                for (int q = 0; q < group; q++)
                {
                    double shift = CentreShift(list, scratches[q].Query);
                    scratches[q].Shifts[list] = shift;
                    collectors[q].ScoreShift = (float)shift;
                    scorers[q] = CachedScorer(list, scratches[q]);
                }
                FlatScan.SearchFastScanBatch(scorerSpan, partition.Factors.Span, partition.Offsets.Span, partition.Deleted.Span,
                    collectorSpan, partition.TermRange, PerRowTerms(partition), listBase);
            }
            listBase += partition.Count;
        }
        for (int q = 0; q < group; q++)
        {
            collectors[q].ScoreShift = 0;
        }
        return true;
    }
}
