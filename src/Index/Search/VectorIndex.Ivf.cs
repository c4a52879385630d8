using VectorDb.Index.Clustering;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

public sealed partial class VectorIndex
{
    /// <summary>Training points drawn per IVF list (FAISS warns below 39; more buys little).</summary>
    public const int TrainingPointsPerList = 64;

    /// <summary>IVF lists or code lists after training, or 1 (the flat partition).</summary>
    public int ListCount => _lists.Count;

    /// <summary>Whether IVF lists (probed per query) have been trained.</summary>
    public bool IsTrained => _lists.IsTrained && !_lists.AreCodeLists;

    /// <summary>Whether residual code lists (<see cref="TrainCodeLists"/>, every list scanned) are in use.</summary>
    public bool HasCodeLists => _lists.IsTrained && _lists.AreCodeLists;

    /// <summary>Whether every search scans every list: a flat index, or any index while its lists are code lists.</summary>
    private bool ScansAllLists => Options.Kind == IndexLayout.Flat || _lists.AreCodeLists;

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
        _centred && Options.IvfResiduals && Options.Originals != OriginalsFormat.None && Count >= Math.Max(2, threshold)
        && (!_lists.IsTrained || (_lists.AreCodeLists && VectorIndexOptions.DefaultCodeListCount(Count) >= CodeListRegrowth * ListCount));

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
            if (Options.Metric == Metric.Cosine)
            {
                Normalise(destination);
            }
        }
        else
        {
            DecodeRecord(RecordOf(row), destination);
        }
    }

    /// <summary>The list a row belongs to: the best centroid under the lists' probing rule (same scores, ties to the
    /// smaller list).</summary>
    private int NearestList(int row) => NearestList(row, null);

    /// <summary><see cref="NearestList(int)"/> against the given centroids (null: the adopted lists').</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private int NearestList(int row, CentroidTable? centroids)
    {
        Span<float> vector = Dimension <= 1024 ? stackalloc float[Dimension] : new float[Dimension];
        SourceVectorOfRow(row, vector); // the original wherever it is kept, so lists do not depend on where that is
        return centroids is null ? _lists.Nearest(vector, Quantizer.Level) : IvfLists.Nearest(vector, centroids, Quantizer.Level);
    }
}
