namespace VectorDb.Index.Rerank;

/// <summary>
/// Keeps the k best (slot, score) pairs seen so far in a caller-provided span (k = its length), without
/// allocating. Best means larger score, or smaller score when the metric is smaller-is-better; ties go to the
/// smaller slot, so results are deterministic. NaN scores (deleted or unknown slots) are ignored.
/// </summary>
/// <remarks>
/// A binary heap whose root is the worst kept entry: each <see cref="Add"/> costs one compare when the candidate
/// does not qualify and O(log k) when it does. Scores are held negated for smaller-is-better metrics (negation is
/// exact) and restored by <see cref="Finish"/>.
/// </remarks>
public ref struct TopKSelector
{
    private readonly Span<ScoredSlot> _heap;
    private readonly bool _smallerIsBetter;
    private int _count;

    /// <summary>Starts an empty selection that keeps up to <c>destination.Length</c> entries.</summary>
    public TopKSelector(Span<ScoredSlot> destination, bool smallerIsBetter)
    {
        _heap = destination;
        _smallerIsBetter = smallerIsBetter;
        _count = 0;
    }

    /// <summary>Entries kept so far.</summary>
    public readonly int Count => _count;

    /// <summary>The score a candidate must beat to enter once the selection is full: the worst kept score (under the
    /// metric's sense); before that −∞ (+∞ when smaller is better), as every candidate enters.</summary>
    public readonly float Threshold => _count == _heap.Length && _count > 0
        ? (_smallerIsBetter ? -_heap[0].Score : _heap[0].Score)
        : (_smallerIsBetter ? float.PositiveInfinity : float.NegativeInfinity);

    /// <summary>Offers one candidate.</summary>
    public void Add(int slot, float score)
    {
        if (float.IsNaN(score) || _heap.IsEmpty)
        {
            return;
        }
        var entry = new ScoredSlot(slot, _smallerIsBetter ? -score : score);
        if (_count < _heap.Length)
        {
            int child = _count++;
            while (child > 0)
            {
                int parent = (child - 1) >> 1;
                if (!IsWorse(entry, _heap[parent]))
                {
                    break;
                }
                _heap[child] = _heap[parent];
                child = parent;
            }
            _heap[child] = entry;
        }
        else if (IsWorse(_heap[0], entry))
        {
            ScoredSlot.SiftDown(_heap[.._count], entry);
        }
    }

    /// <summary>Sorts the kept entries best first at the start of the destination span, restores their scores,
    /// and returns how many there are. The selector must not be used afterwards.</summary>
    public int Finish()
    {
        for (int end = _count - 1; end > 0; end--)
        {
            ScoredSlot worst = _heap[0];
            ScoredSlot.SiftDown(_heap[..end], _heap[end]);
            _heap[end] = worst;
        }
        if (_smallerIsBetter)
        {
            for (int i = 0; i < _count; i++)
            {
                _heap[i] = _heap[i] with { Score = -_heap[i].Score };
            }
        }
        return _count;
    }

    /// <summary>Order on held entries (scores already negated where needed): lower score is worse; at equal
    /// scores the larger slot is worse (<see cref="ScoredSlot.IsBetter"/> reversed).</summary>
    private static bool IsWorse(ScoredSlot a, ScoredSlot b) => ScoredSlot.IsBetter(b.Score, b.Slot, a.Score, a.Slot);
}
