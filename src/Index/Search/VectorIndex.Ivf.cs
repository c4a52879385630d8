using VectorDb.Index.Clustering;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

public sealed partial class VectorIndex
{
    /// <summary>Training points drawn per IVF list (FAISS warns below 39; more buys little).</summary>
    public const int TrainingPointsPerList = 64;

    private int[] _partitionOf = new int[64];
    private int[] _localRow = new int[64];
    private CentroidTable? _centroids;
    private float[]? _centroidVectors; // the same centroids row-major, for persisting them
    private bool _codeLists; // the lists are residual code lists: every search scans all of them (TrainCodeLists)
    private CodeListBlocks? _pooledLists; // code lists pooled in Partitions[0] (null: one partition per list, or flat)

    /// <summary>IVF lists or code lists after training, or 1 (the flat partition).</summary>
    public int ListCount => _pooledLists?.ListCount ?? Partitions.Length;

    /// <summary>Whether IVF lists (probed per query) have been trained.</summary>
    public bool IsTrained => _centroids is not null && !_codeLists;

    /// <summary>Whether residual code lists (<see cref="TrainCodeLists"/>, every list scanned) are in use.</summary>
    public bool HasCodeLists => _centroids is not null && _codeLists;

    /// <summary>Whether every search scans every list: a flat index, or any index while its lists are code lists.</summary>
    private bool ScansAllLists => Options.Kind == IndexKind.Flat || _codeLists;

    /// <summary>
    /// Trains IVF lists on a seeded sample of the live vectors (originals if kept, else decoded records; normalised for
    /// cosine) and redistributes every live vector to its nearest list. Vectors added later go to their nearest list
    /// without retraining. <paramref name="nlist"/> = 0 uses <see cref="VectorIndexOptions.NList"/>, or about 4·√n.
    /// Searches and writes run meanwhile except in the last step (see <see cref="BeginIvfTraining"/>).
    /// </summary>
    public void TrainIvf(int nlist = 0)
    {
        IvfTraining training = BeginIvfTraining(nlist);
        RunIvfTraining(training);
        CompleteIvfTraining(training);
    }

    /// <summary>
    /// Trains residual code lists: k-means lists exactly as <see cref="TrainIvf"/> trains them (the codes become
    /// residuals to their list's centroid), but every search scans every list, so the lists change how the codes are
    /// centred and never which vectors a search sees. <paramref name="nlist"/> = 0 uses
    /// <see cref="VectorIndexOptions.DefaultCodeListCount"/>. An IVF index with code lists still trains its IVF lists
    /// later (<see cref="TrainIvf"/> replaces them).
    /// </summary>
    public void TrainCodeLists(int nlist = 0)
    {
        IvfTraining training = BeginCodeListTraining(nlist);
        RunIvfTraining(training);
        CompleteIvfTraining(training);
    }

    /// <summary>Step 1 of <see cref="TrainCodeLists"/> (as <see cref="BeginIvfTraining"/>; steps 2 and 3 are
    /// <see cref="RunIvfTraining"/> and <see cref="CompleteIvfTraining"/>).</summary>
    public IvfTraining BeginCodeListTraining(int nlist = 0)
    {
        IvfTraining training = BeginIvfTraining(nlist > 0 ? nlist : VectorIndexOptions.DefaultCodeListCount(Count));
        training.CodeLists = true;
        return training;
    }

    /// <summary>
    /// Whether the index should now train residual code lists (<see cref="TrainCodeLists"/>): format-2 codes,
    /// residuals on, originals kept (in memory or readable from storage), at least <paramref name="threshold"/> live
    /// vectors (default <see cref="VectorIndexOptions.CodeListsFromVectors"/>; at least 2), and either no lists of
    /// either kind yet, or code lists that the collection has outgrown: the default count for its size is at least
    /// <see cref="CodeListRegrowth"/> times theirs (so a collection retrains them at most about every 4× growth, and the
    /// re-encoding stays a bounded share of all encoding). An IVF index qualifies too: until its IVF lists are trained it
    /// scans everything, as a flat one does.
    /// Without originals the rows would be
    /// re-encoded from their decoded codes, which compounds two quantization errors: on a 20k GloVe slice that cost
    /// more recall than the lists gained (recall@10 0.21 against 0.38 at b = 1, 0.86 against 0.89 at b = 4), so such an
    /// index keeps the collection mean.
    /// </summary>
    public bool CodeListsDue(int threshold = VectorIndexOptions.CodeListsFromVectors) =>
        _centred && Options.IvfResiduals && Options.Originals is not null && Count >= Math.Max(2, threshold)
        && (_centroids is null || (_codeLists && VectorIndexOptions.DefaultCodeListCount(Count) >= CodeListRegrowth * ListCount));

    /// <summary>Growth of the default code list count (4, i.e. about 4× the vectors) at which code lists are retrained.</summary>
    public const int CodeListRegrowth = 4;

    /// <summary>About 4·√n lists, rounded to a power of two, at least 1.</summary>
    public static int DefaultListCount(int vectors) =>
        vectors < 4 ? 1 : 1 << Math.Max(0, (int)Math.Round(Math.Log2(4 * Math.Sqrt(vectors))));

    private int[] LiveRows()
    {
        var rows = new int[Count];
        int n = 0;
        foreach (int row in _rowOfId.Values)
        {
            rows[n++] = row;
        }
        return rows;
    }

    /// <summary>The vector a row was built from: the original (normalised for cosine) or the decoded record.</summary>
    private void VectorOfRow(int row, Span<float> destination)
    {
        if (_originals is not null)
        {
            _originals.CopyTo(row, destination);
            if (Options.Metric == ExactMetric.Cosine)
            {
                Normalise(destination);
            }
        }
        else
        {
            DecodeRecord(RecordOf(row), destination);
        }
    }

    /// <summary>The list a row belongs to: the best centroid under the probing rule of <see cref="BestLists"/>
    /// (same scores, ties to the smaller list).</summary>
    private int NearestList(int row) => NearestList(row, _centroids!);

    /// <summary><see cref="NearestList(int)"/> against the given centroids.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private int NearestList(int row, CentroidTable centroids)
    {
        Span<float> vector = Dimension <= 1024 ? stackalloc float[Dimension] : new float[Dimension];
        SourceVectorOfRow(row, vector); // the original wherever it is kept, so lists do not depend on where that is
        return NearestList(vector, centroids);
    }

    /// <summary>The list of <paramref name="vector"/> (as searched) under the probing rule of <see cref="BestLists"/>.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private int NearestList(ReadOnlySpan<float> vector, CentroidTable centroids)
    {
        Span<float> scores = centroids.ScoreSpace <= 4096 ? stackalloc float[centroids.ScoreSpace] : new float[centroids.ScoreSpace];
        return centroids.Nearest(vector, scores, Quantizer.Level);
    }

    /// <summary>
    /// The <paramref name="count"/> lists to probe for a (normalised, for cosine) query, best first: largest inner
    /// product with the centroid for IP and cosine (as FAISS's IndexIVF with an IP quantizer), nearest for L2; equal
    /// scores go to the smaller list. Partial selection: a bounded heap of the best <paramref name="count"/> over the
    /// nlist scores (O(nlist·log nprobe)), then the heap sorted in place; nothing else is sorted or allocated.
    /// </summary>
    private ReadOnlySpan<int> BestLists(ReadOnlySpan<float> query, int count, float[] scores, int[] order)
    {
        int lists = ListCount;
        _centroids!.Score(query, scores, Quantizer.Level);
        count = Math.Min(count, lists);
        Span<int> heap = order.AsSpan(0, count);
        ListSelection.SelectBest(scores.AsSpan(0, lists), heap);
        return heap;
    }
}
