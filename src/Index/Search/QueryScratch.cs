using VectorDb.Index.Estimation;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

/// <summary>
/// Per-query working memory, rented from the index's pool so that a warmed-up query allocates nothing but its
/// result: the prepared query (rotation, QJL projection), lookup tables, top-k collectors and candidate buffers.
/// One query at a time.
/// </summary>
internal sealed class QueryScratch
{
    public QueryScratch(IVectorQuantizer quantizer, CodeFamily family)
    {
        int d = quantizer.Options.Dimension;
        Estimator = quantizer.CreateEstimator();
        Query = new float[d];
        Codes = new byte[d];
        Tables = family.NewQueryTables();
    }

    public InnerProductEstimator Estimator { get; }

    /// <summary>The query as searched (normalised for cosine).</summary>
    public float[] Query { get; }

    /// <summary>One record's codes, unpacked (candidate refinement).</summary>
    public byte[] Codes { get; }

    /// <summary>The scan's lookup tables for this query (the collection's <see cref="CodeFamily"/>).</summary>
    public ScanQueryTables Tables { get; }

    public TopK? Candidates { get; private set; }

    public ScoredSlot[] Sorted { get; private set; } = [];

    public int[] Slots { get; private set; } = [];

    /// <summary>Per candidate, its upper bound during auto re-ranking.</summary>
    public float[] Exact { get; private set; } = [];

    /// <summary>The k results of the re-rank (or the k best estimates without one), best first.</summary>
    public ScoredSlot[] Best { get; private set; } = [];

    public float[] ProbeScores { get; private set; } = [];

    /// <summary>Per partition, the ranking score's centre term for this query (<c>IvfLists.CentreShift</c>): set
    /// for the flat partition when the query is prepared, for an IVF list when it is probed.</summary>
    public double[] Shifts { get; private set; } = [];

    /// <summary>Per code list, <see cref="Shifts"/> as the float the scan adds (pooled code lists' block shifts).</summary>
    public float[] ListShifts { get; private set; } = [];

    /// <summary>Per code list, the pooled scan's pre-filter working value (<see cref="BlockShifts.Work"/>).</summary>
    public float[] ListWork { get; private set; } = [];

    private ulong[] _mask = [];
    private int[] _probeBases = [];

    /// <summary>IVF lists probed by the current query (their order is <see cref="ProbeOrder"/>).</summary>
    public int ProbedLists { get; set; }

    /// <summary>First virtual id of each probed list, ascending (at least <paramref name="count"/> entries).</summary>
    public Span<int> ProbeBases(int count)
    {
        if (_probeBases.Length < count)
        {
            _probeBases = new int[count];
        }
        return _probeBases.AsSpan(0, count);
    }
    private IBlockScorer?[] _scorers = [];
    private object? _scorersFor;

    /// <summary>
    /// Scorers bound to this scratch's tables, one per partition, created on first use and kept while the index's
    /// partition array is the same object (training replaces it), so a warm query allocates no scorer.
    /// </summary>
    public ref IBlockScorer? Scorer(CodePartition[] partitions, int partition)
    {
        if (!ReferenceEquals(_scorersFor, partitions))
        {
            _scorers = new IBlockScorer?[partitions.Length];
            _scorersFor = partitions;
        }
        return ref _scorers[partition];
    }
    private float[] _margins = [];

    /// <summary>A float buffer of at least <paramref name="count"/> entries (contents unspecified).</summary>
    public Span<float> Margins(int count)
    {
        if (_margins.Length < count)
        {
            _margins = new float[count];
        }
        return _margins.AsSpan(0, count);
    }

    /// <summary>A bitmap buffer of at least <paramref name="words"/> words (contents unspecified).</summary>
    public ulong[] Mask(int words)
    {
        if (_mask.Length < words)
        {
            _mask = new ulong[words];
        }
        return _mask;
    }

    public int[] ProbeOrder { get; private set; } = [];

    /// <summary>Collectors and buffers for <paramref name="candidates"/> candidates and <paramref name="k"/> results
    /// (reallocated only when a query needs more than any before it).</summary>
    public void Reserve(int candidates, int k, int lists)
    {
        if (Candidates is null || Candidates.Capacity != candidates)
        {
            Candidates = new TopK(candidates);
        }
        if (Sorted.Length < candidates)
        {
            Sorted = new ScoredSlot[candidates];
            Slots = new int[candidates];
            Exact = new float[candidates];
        }
        if (Best.Length < k)
        {
            Best = new ScoredSlot[k];
        }
        // Centroid scores are written 16 at a time (CentroidTable pads its columns to a multiple of 16).
        int probeSpace = (lists + 15) / 16 * 16;
        if (ProbeScores.Length < probeSpace)
        {
            ProbeScores = new float[probeSpace];
            ProbeOrder = new int[lists];
        }
        if (Shifts.Length < lists)
        {
            Shifts = new double[lists];
            ListShifts = new float[lists];
            ListWork = new float[lists];
        }
        Candidates.Clear();
    }
}
