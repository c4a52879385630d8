using System.Runtime.CompilerServices;
using VectorDb.Index.Common;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

/// <summary>The batched part of the pipeline: up to <see cref="FastScanKernel.BatchQueries"/> queries prepared, scanned
/// together in one pass over the codes where the batched kernel applies (else one by one), then each finished as
/// <see cref="Search"/> finishes one.</summary>
internal sealed partial class QueryPipeline
{
    /// <summary>The scratches of one group of batched queries (on the stack).</summary>
    [InlineArray(FastScanKernel.BatchQueries)]
    internal struct ScratchGroup
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
    /// <summary>Checked queries (one after another) with the same options, searched by groups; the results one array per query.</summary>
    public SearchResult[] SearchBatch(ReadOnlySpan<float> queries, SearchOptions options, int count)
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

    /// <summary>Checked queries, by groups of <see cref="FastScanKernel.BatchQueries"/> (<see cref="SearchGroup"/>), each
    /// group under one hold of the index's read lock; query i's hits to <paramref name="hits"/>[i·k ..].</summary>
    public void SearchGroups(ReadOnlySpan<float> queries, SearchOptions options, int count, Span<SearchHit> hits, Span<int> found,
        Span<SearchStatistics> statistics)
    {
        int dimension = Options.Dimension;
        for (int first = 0; first < count; first += FastScanKernel.BatchQueries)
        {
            int group = Math.Min(FastScanKernel.BatchQueries, count - first);
            using GroupLease lease = RentGroup(group);
            using var held = indexLock.Read();
            SearchGroup(queries.Slice(first * dimension, group * dimension), options, lease.Scratches,
                hits[(first * options.K)..], found.Slice(first, group), statistics.Slice(first, group));
        }
    }

    /// <summary>Scratches for a group of <paramref name="group"/> queries, given back when the lease is disposed.</summary>
    public GroupLease RentGroup(int group)
    {
        ScratchGroup scratches = default;
        for (int q = 0; q < group; q++)
        {
            scratches[q] = RentScratch();
        }
        return new GroupLease(this, scratches, group);
    }

    /// <summary>A group's scratches (<see cref="RentGroup"/>): <c>using</c> gives them back to the pool.</summary>
    internal readonly ref struct GroupLease(QueryPipeline pipeline, ScratchGroup scratches, int group)
    {
        public ScratchGroup Scratches => scratches;

        public void Dispose()
        {
            for (int q = 0; q < group; q++)
            {
                pipeline.Return(scratches[q]);
            }
        }
    }

    /// <summary>
    /// Up to four checked queries (read lock held): prepare each, scan them together when the batched kernel applies
    /// (else one by one), then re-rank each as <see cref="Search"/> does. Query q's hits go to
    /// <paramref name="hits"/>[q·k ..], its count to <paramref name="found"/>[q].
    /// </summary>
    public void SearchGroup(ReadOnlySpan<float> queries, SearchOptions options, ScratchGroup scratches, Span<SearchHit> hits,
        Span<int> found, Span<SearchStatistics> statistics)
    {
        int group = found.Length;
        int dimension = Options.Dimension;
        if (Count == 0)
        {
            found.Clear();
            statistics.Clear();
            return;
        }
        for (int q = 0; q < group; q++)
        {
            BeginQuery(queries.Slice(q * dimension, dimension), options, scratches[q]);
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
            found[q] = FinishQuery(queries.Slice(q * dimension, dimension), options, scratches[q],
                hits.Slice(q * options.K, options.K), out statistics[q]);
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
        if (ivfLists.Pooled is { } pooled)
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
    /// <see cref="VectorIndex.TrainIvf"/>; code lists are pooled and take <see cref="TryScanOnePartitionTogether"/>): list by list,
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
