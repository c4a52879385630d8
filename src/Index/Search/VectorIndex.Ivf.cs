namespace VectorDb.Index.Search;

/// <summary>The index's list entry points: IVF and code-list training (<see cref="IvfTrainer"/>) and the lists' state.</summary>
public sealed partial class VectorIndex
{
    /// <summary>Training points drawn per IVF list (FAISS warns below 39; more buys little).</summary>
    public const int TrainingPointsPerList = 64;

    /// <summary>Growth of the default code list count (4, i.e. about 4× the vectors) at which code lists are retrained.</summary>
    public const int CodeListRegrowth = 4;

    /// <summary>IVF lists or code lists after training, or 1 (the flat partition).</summary>
    public int ListCount => _lists.Count;

    /// <summary>Whether IVF lists (probed per query) have been trained.</summary>
    public bool IsTrained => _lists.IsTrained && !_lists.AreCodeLists;

    /// <summary>Whether residual code lists (<see cref="TrainCodeLists"/>, every list scanned) are in use.</summary>
    public bool HasCodeLists => _lists.IsTrained && _lists.AreCodeLists;

    /// <summary>About 4·√n lists, rounded to a power of two, at least 1.</summary>
    public static int DefaultListCount(int vectors) =>
        vectors < 4 ? 1 : 1 << Math.Max(0, (int)Math.Round(Math.Log2(4 * Math.Sqrt(vectors))));

    /// <summary>
    /// Trains IVF lists on a seeded sample of the live vectors (originals if kept, else decoded records; normalised for
    /// cosine) and redistributes every live vector to its nearest list. Vectors added later go to their nearest list
    /// without retraining. <paramref name="nlist"/> = 0 uses <see cref="VectorIndexOptions.NList"/>, or about 4·√n.
    /// Searches and writes run meanwhile except in the last step (see <see cref="BeginIvfTraining"/>).
    /// </summary>
    public void TrainIvf(int nlist = 0) => _trainer.Train(_trainer.Begin(nlist));

    /// <summary>
    /// Trains residual code lists: k-means lists exactly as <see cref="TrainIvf"/> trains them (the codes become
    /// residuals to their list's centroid), but every search scans every list, so the lists change how the codes are
    /// centred and never which vectors a search sees. <paramref name="nlist"/> = 0 uses
    /// <see cref="VectorIndexOptions.DefaultCodeListCount"/>. An IVF index with code lists still trains its IVF lists
    /// later (<see cref="TrainIvf"/> replaces them).
    /// </summary>
    public void TrainCodeLists(int nlist = 0) => _trainer.Train(_trainer.BeginCodeLists(nlist));

    /// <inheritdoc cref="IvfTrainer.Begin"/>
    public IvfTraining BeginIvfTraining(int nlist = 0) => _trainer.Begin(nlist);

    /// <summary>Step 1 of <see cref="TrainCodeLists"/> (as <see cref="BeginIvfTraining"/>; steps 2 and 3 are
    /// <see cref="RunIvfTraining"/> and <see cref="CompleteIvfTraining"/>).</summary>
    public IvfTraining BeginCodeListTraining(int nlist = 0) => _trainer.BeginCodeLists(nlist);

    /// <summary>Step 2: k-means on the sample (no lock), then each existing row's list (read lock per chunk).</summary>
    public void RunIvfTraining(IvfTraining training) => _trainer.Run(training);

    /// <inheritdoc cref="IvfTrainer.Complete"/>
    public void CompleteIvfTraining(IvfTraining training) => _trainer.Complete(training);

    /// <summary>
    /// Builds IVF lists around <paramref name="centroids"/> (row-major, <paramref name="lists"/>·d floats) instead of
    /// training: how a reopened collection gets back the lists it had (<see cref="IvfCentroidVectors"/>), so that it
    /// answers as before. Every row goes to its nearest list, as a training's assignment would put it.
    /// </summary>
    public void UseIvfCentroids(int lists, ReadOnlySpan<float> centroids) => _trainer.UseCentroids(lists, centroids, codeLists: false);

    /// <summary>As <see cref="UseIvfCentroids"/>, for residual code lists (<see cref="TrainCodeLists"/>).</summary>
    public void UseCodeListCentroids(int lists, ReadOnlySpan<float> centroids) => _trainer.UseCentroids(lists, centroids, codeLists: true);

    /// <summary>The trained lists' centroids, IVF or code lists (row-major, <see cref="ListCount"/>·d floats), or null
    /// before training.</summary>
    public float[]? IvfCentroidVectors() => _lists.CopyCentroidVectors();

    /// <inheritdoc cref="IvfTrainer.CodeListsDue"/>
    public bool CodeListsDue(int threshold = VectorIndexOptions.CodeListsFromVectors) => _trainer.CodeListsDue(threshold);
}
