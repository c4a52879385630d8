using System.Runtime.CompilerServices;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Scan;

/// <summary>
/// The scan's top-k collector (the re-scorers' is <see cref="TopKSelector"/>, over a caller's span; both keep
/// <see cref="ScoredSlot"/> pairs in the order <see cref="ScoredSlot.IsBetter"/>).
/// Fixed-capacity collector of the k best (score, id) pairs under the order "larger score first, ties to the
/// smaller id" (a total order, so the kept set never depends on insertion order). A binary min-heap whose root is
/// the worst kept pair; no allocation after construction.
/// <para>Scan kernels call <see cref="Threshold"/> once per block and offer only candidates scoring at least that
/// (a stale, lower threshold costs only rejected offers). NaN scores are never kept.</para>
/// </summary>
public sealed class TopK
{
    private readonly float[] _scores;
    private readonly int[] _ids;
    // Optional lead window (SetLeadWindow): the best _leaderCapacity scores offered so far, as a min-heap of floats.
    private float[] _leaders = [];
    private int _leaderCapacity;
    private int _leaderCount;
    private float _window;

    /// <param name="capacity">k, the number of pairs kept (at least 1).</param>
    public TopK(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _scores = new float[capacity];
        _ids = new int[capacity];
    }

    public int Capacity => _scores.Length;

    public int Count { get; private set; }

    /// <summary>
    /// Added to every score offered from now on (and subtracted from <see cref="Threshold"/>), so that scans whose
    /// scores lack a constant (an IVF list's centre term, <c>IvfLists.CentreShift</c>) share one collector with
    /// others. 0 by default and after <see cref="Clear"/>.
    /// </summary>
    public float ScoreShift { get; set; }

    /// <summary>
    /// The lowest score that can still enter: the worst kept score once full (else −∞), raised with a lead window to
    /// the <c>leaders</c>-th best score offered so far minus the window; minus <see cref="ScoreShift"/> (one float
    /// step lower, so rounding never drops a row that would enter).
    /// </summary>
    public float Threshold
    {
        get
        {
            float threshold = UnshiftedThreshold;
            return ScoreShift == 0 || float.IsNegativeInfinity(threshold) ? threshold : MathF.BitDecrement(threshold - ScoreShift);
        }
    }

    /// <summary><see cref="Threshold"/> before <see cref="ScoreShift"/> is taken off: the lowest final score that can
    /// still enter.</summary>
    public float UnshiftedThreshold
    {
        get
        {
            float worstKept = Count == _scores.Length ? _scores[0] : float.NegativeInfinity;
            return _leaderCount == _leaderCapacity && _leaderCapacity > 0 ? MathF.Max(worstKept, _leaders[0] - _window) : worstKept;
        }
    }

    /// <summary>Empties the collector (the lead window's settings stay; its scores are cleared; no shift).</summary>
    public void Clear()
    {
        Count = 0;
        _leaderCount = 0;
        ScoreShift = 0;
    }

    /// <summary>
    /// Also rejects candidates more than <paramref name="window"/> below the <paramref name="leaders"/>-th best score
    /// offered so far (once that many were offered). Auto re-ranking uses it: a candidate that far below can never
    /// reach the top k through its confidence bound, so it need not take a slot or lower the scan's threshold.
    /// Which candidates are kept then depends on the order they come in (the window's floor rises during a scan);
    /// the best <paramref name="leaders"/> are always kept. Allocates only when <paramref name="leaders"/> grows.
    /// </summary>
    /// <param name="leaders">How many best scores define the floor (≤ <see cref="Capacity"/>); 0 switches the window off.</param>
    /// <param name="window">Distance below the leaders-th best score that still enters (≥ 0, finite).</param>
    public void SetLeadWindow(int leaders, float window)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leaders);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(leaders, Capacity);
        if (!(window >= 0) || float.IsInfinity(window))
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "the window must be a finite number ≥ 0.");
        }
        if (_leaders.Length < leaders)
        {
            _leaders = new float[leaders];
        }
        _leaderCapacity = leaders;
        _leaderCount = 0;
        _window = window;
    }

    /// <summary>Offers a pair; returns whether it was kept (it may be evicted later).</summary>
    public bool TryAdd(float score, int id)
    {
        score += ScoreShift;
        if (float.IsNaN(score))
        {
            return false;
        }
        if (_leaderCapacity > 0 && !OfferLeader(score))
        {
            return false;
        }
        if (Count < _scores.Length)
        {
            SiftUp(Count++, score, id);
            return true;
        }
        if (!ScoredSlot.IsBetter(score, id, _scores[0], _ids[0]))
        {
            return false;
        }
        SiftDown(score, id);
        return true;
    }

    /// <summary>Offers every pair kept by <paramref name="other"/>.</summary>
    public void MergeFrom(TopK other)
    {
        ArgumentNullException.ThrowIfNull(other);
        float shift = ScoreShift;
        ScoreShift = 0; // the other collector's scores are final already
        for (int i = 0; i < other.Count; i++)
        {
            TryAdd(other._scores[i], other._ids[i]);
        }
        ScoreShift = shift;
    }

    /// <summary>Writes the kept pairs best first into <paramref name="destination"/>; returns how many.</summary>
    public int CopySortedTo(Span<ScoredSlot> destination)
    {
        if (destination.Length < Count)
        {
            throw new ArgumentException($"destination holds {destination.Length} pairs; {Count} are kept.", nameof(destination));
        }
        // The arrays already form a heap with the worst pair at the root; heapsort in place moves the worst to the
        // end first, leaving the span best first (Span.Sort with a struct comparer would allocate a delegate).
        for (int i = 0; i < Count; i++)
        {
            destination[i] = new ScoredSlot(_ids[i], _scores[i]);
        }
        for (int end = Count - 1; end > 0; end--)
        {
            ScoredSlot worst = destination[0];
            ScoredSlot.SiftDown(destination.Slice(0, end), destination[end]);
            destination[end] = worst;
        }
        return Count;
    }

    /// <summary>The kept pairs best first (allocates; for tests and tools).</summary>
    public ScoredSlot[] ToSortedArray()
    {
        var result = new ScoredSlot[Count];
        CopySortedTo(result);
        return result;
    }

    /// <summary>Updates the leaders with <paramref name="score"/>; false when it lies below the window's floor.</summary>
    private bool OfferLeader(float score)
    {
        if (_leaderCount < _leaderCapacity)
        {
            int hole = _leaderCount++;
            while (hole > 0 && _leaders[(hole - 1) >> 1] > score)
            {
                _leaders[hole] = _leaders[(hole - 1) >> 1];
                hole = (hole - 1) >> 1;
            }
            _leaders[hole] = score;
            return true;
        }
        if (score > _leaders[0])
        {
            int hole = 0;
            while (true)
            {
                int child = 2 * hole + 1;
                if (child >= _leaderCount)
                {
                    break;
                }
                if (child + 1 < _leaderCount && _leaders[child + 1] < _leaders[child])
                {
                    child++;
                }
                if (_leaders[child] >= score)
                {
                    break;
                }
                _leaders[hole] = _leaders[child];
                hole = child;
            }
            _leaders[hole] = score;
            return true;
        }
        return score >= _leaders[0] - _window;
    }

    private void SiftUp(int hole, float score, int id)
    {
        while (hole > 0)
        {
            int parent = (hole - 1) >> 1;
            // The parent must be no better than the new pair; otherwise move it down into the hole.
            if (!ScoredSlot.IsBetter(_scores[parent], _ids[parent], score, id))
            {
                break;
            }
            hole = MoveInto(hole, parent);
        }
        Place(hole, score, id);
    }

    /// <summary>Replaces the root (the worst pair) with a better one and restores the heap.</summary>
    private void SiftDown(float score, int id)
    {
        int count = Count;
        int hole = 0;
        while (true)
        {
            int child = 2 * hole + 1;
            if (child >= count)
            {
                break;
            }
            // Pick the worse child: it is the one that may rise above the new pair.
            if (child + 1 < count && ScoredSlot.IsBetter(_scores[child], _ids[child], _scores[child + 1], _ids[child + 1]))
            {
                child++;
            }
            if (!ScoredSlot.IsBetter(score, id, _scores[child], _ids[child]))
            {
                break;
            }
            hole = MoveInto(hole, child);
        }
        Place(hole, score, id);
    }

    /// <summary>Moves the pair at <paramref name="from"/> into the hole; the hole is now at <paramref name="from"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int MoveInto(int hole, int from)
    {
        _scores[hole] = _scores[from];
        _ids[hole] = _ids[from];
        return from;
    }

    /// <summary>Stores the pair at heap position <paramref name="hole"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Place(int hole, float score, int id)
    {
        _scores[hole] = score;
        _ids[hole] = id;
    }
}
