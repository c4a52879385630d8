using VectorDb.Index.Clustering;
using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Rotation;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

/// <summary>
/// The lists of one index and its scan partitions: before training one list, the flat partition; after it IVF lists
/// (probed a few per query, one partition each) or residual code lists (all scanned, pooled in one partition by
/// <see cref="CodeListBlocks"/>), with their centroids, and for format-2 residual lists each list's code centre and
/// each row's record against it (kept in memory only). Also each row's list and its row in the scan partition, the
/// lists a query scans, and the mapping of the scan's ids (IVF virtual ids, pool rows) back to global rows.
/// Training (k-means, assignment, residual encoding) fills an <see cref="IvfTraining"/> that
/// <see cref="Adopt"/> switches to. Not thread-safe: the index's lock guards it.
/// </summary>
internal sealed class IvfLists
{
    private readonly int _recordSize;
    private readonly CodeCentring _centring;
    private readonly CodeFamily _family;
    private readonly bool _hasOffsets;
    private int[] _listOf = new int[64];
    private int[] _localRow = new int[64];
    private byte[]? _records; // residual lists: each row's record against its list centroid (in memory only)
    private CentroidTable? _centroids;
    private float[]? _centroidVectors; // the same centroids row-major, for persisting them and the pooled shifts
    private CodeCentre[]? _centres; // per list when lists hold residuals to their centroids

    /// <param name="recordSize">Bytes of one encoded record.</param>
    /// <param name="centring">The collection centre, which untrained lists (and lists without residuals) code against.</param>
    /// <param name="family">The scan's code stores for this code width.</param>
    /// <param name="hasOffsets">Whether partitions keep a per-row offset (L2, or centred records).</param>
    public IvfLists(int recordSize, CodeCentring centring, CodeFamily family, bool hasOffsets)
    {
        _recordSize = recordSize;
        _centring = centring;
        _family = family;
        _hasOffsets = hasOffsets;
        Partitions = [NewPartition()];
    }

    /// <summary>Scan partitions: one for a flat (or untrained) index or pooled code lists, one per IVF list.</summary>
    public CodePartition[] Partitions { get; private set; }

    /// <summary>IVF lists or code lists after training, or 1 (the flat partition).</summary>
    public int Count => Pooled?.ListCount ?? Partitions.Length;

    /// <summary>Whether lists of either kind have been trained.</summary>
    public bool IsTrained => _centroids is not null;

    /// <summary>Whether the lists are residual code lists: every search scans all of them.</summary>
    public bool AreCodeLists { get; private set; }

    /// <summary>Code lists pooled in <c>Partitions[0]</c> (null: one partition per list, or flat).</summary>
    public CodeListBlocks? Pooled { get; private set; }

    /// <summary>Whether the rows are in trained lists holding residuals to their own centroids.</summary>
    public bool Residual => _centres is not null && Count > 1;

    /// <summary>The largest ‖c_l‖ over the residual lists' centres (0 without them).</summary>
    public double MaxCentreNorm { get; private set; }

    /// <summary>The centroids row-major (<see cref="Count"/>·d floats); trained lists only.</summary>
    public float[] CentroidVectors => _centroidVectors!;

    /// <summary>A copy of the centroids, or null before training.</summary>
    public float[]? CopyCentroidVectors() => _centroidVectors?.ToArray();

    /// <summary>The list a row was placed in (0 for a flat index).</summary>
    public int ListOf(int row) => _listOf[row];

    /// <summary>Row's partition and its row there (the pool's for code lists).</summary>
    public (int Partition, int Local) Locate(int row) => (Pooled is null ? _listOf[row] : 0, _localRow[row]);

    /// <summary>The centre the codes of a list are relative to: its own for residual lists, else the collection's.</summary>
    public CodeCentre CentreOf(int list) => Residual ? _centres![list] : _centring.Centre;

    /// <summary>The ranking score's part along a list's centre for a query as searched (<see cref="CodeCentring.Shift"/>).</summary>
    public double CentreShift(int list, ReadOnlySpan<float> query) => _centring.IsCentred ? _centring.Shift(CentreOf(list), query) : 0;

    /// <summary>An empty scan partition for this index's codes.</summary>
    public CodePartition NewPartition() => new(_family, _hasOffsets);

    /// <summary>Row's record against its list centroid (residual lists only).</summary>
    public Span<byte> RecordOf(int row) => _records.AsSpan(row * _recordSize, _recordSize);

    /// <summary>Room for <paramref name="capacity"/> rows in the per-row arrays.</summary>
    public void Grow(int capacity)
    {
        if (_records is not null)
        {
            Array.Resize(ref _records, capacity * _recordSize);
        }
        Array.Resize(ref _listOf, capacity);
        Array.Resize(ref _localRow, capacity);
    }

    /// <summary>Replaces the flat partition (an untrained index re-adds its rows, e.g. once its centre is fixed).</summary>
    public void ReplaceFlat() => Partitions = [NewPartition()];

    /// <summary>
    /// Switches to the lists of a completed training (step 2 has run): empty partitions, every row to be placed
    /// again. <paramref name="rowCapacity"/> sizes the list records; <paramref name="liveRows"/> reserves the pool of
    /// code lists.
    /// </summary>
    public void Adopt(IvfTraining training, int rowCapacity, int liveRows)
    {
        _centroids = training.Centroids;
        _centroidVectors = training.CentroidVectors;
        AreCodeLists = training.CodeLists;
        _centres = training.ListCentres;
        _records = training.ListRecords;
        if (_records is not null)
        {
            Array.Resize(ref _records, rowCapacity * _recordSize);
        }
        MaxCentreNorm = _centres is null ? 0 : _centres.Max(c => Math.Sqrt(c.SquaredNorm));
        // Code lists share one pool (every search scans all of them: CodeListBlocks says why); IVF lists, probed a
        // few at a time, each have their own partition.
        Pooled = training.CodeLists ? new CodeListBlocks(training.Lists) : null;
        Partitions = training.CodeLists ? [NewPartition()]
            : Enumerable.Range(0, training.Lists).Select(_ => NewPartition()).ToArray();
        if (training.CodeLists)
        {
            Partitions[0].Reserve(liveRows + FastScanCodes.BlockSize * training.Lists);
        }
    }

    /// <summary>Appends row's codes to <paramref name="list"/> (its own partition, or its blocks of the pool) with the
    /// factors that turn code sums into ranking scores, and remembers where they went.</summary>
    public void Place(int row, int list, ReadOnlySpan<byte> codes, ReadOnlySpan<byte> signs, float factor, float offset,
        float signFactor)
    {
        int local;
        if (Pooled is { } pooled)
        {
            local = pooled.NextRow(list, Partitions[0]);
            Partitions[0].Place(local, row, codes, signs, factor, offset, signFactor);
        }
        else
        {
            local = Partitions[list].Add(row, codes, signs, factor, offset, signFactor);
        }
        _listOf[row] = list;
        _localRow[row] = local;
    }

    /// <summary>Marks a row deleted in its partition.</summary>
    public void Delete(int row)
    {
        var (partition, local) = Locate(row);
        Partitions[partition].Delete(local);
    }

    /// <summary>Marks a row deleted in the flat partition it was just added to (rebuilding the flat partition).</summary>
    public void DeleteFlat(int row) => Partitions[0].Delete(_localRow[row]);

    /// <summary>The list of <paramref name="vector"/> (as searched) under the probing rule of <see cref="BestLists"/>
    /// (same scores, ties to the smaller list).</summary>
    public int Nearest(ReadOnlySpan<float> vector, SimdLevel level) => Nearest(vector, _centroids!, level);

    /// <summary><see cref="Nearest(ReadOnlySpan{float}, SimdLevel)"/> against the given centroids.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static int Nearest(ReadOnlySpan<float> vector, CentroidTable centroids, SimdLevel level)
    {
        Span<float> scores = centroids.ScoreSpace <= 4096 ? stackalloc float[centroids.ScoreSpace] : new float[centroids.ScoreSpace];
        return centroids.Nearest(vector, scores, level);
    }

    /// <summary>
    /// The lists a query scans, in scan order (also left in <see cref="QueryScratch.ProbeOrder"/>): with
    /// <paramref name="all"/> (residual code lists, or the lists of a flat index) every list in list order (they only
    /// centre the codes; a fixed order lets a batch scan them together and give the same ids as one query), else the
    /// <paramref name="probes"/> best IVF lists, best first.
    /// </summary>
    public ReadOnlySpan<int> ListsToScan(QueryScratch scratch, bool all, int probes, SimdLevel level)
    {
        if (all)
        {
            Span<int> order = scratch.ProbeOrder.AsSpan(0, Count);
            for (int list = 0; list < order.Length; list++)
            {
                order[list] = list;
            }
            return order;
        }
        return BestLists(scratch.Query, probes, scratch.ProbeScores, scratch.ProbeOrder, level);
    }

    /// <summary>
    /// The <paramref name="count"/> lists to probe for a (normalised, for cosine) query, best first: largest inner
    /// product with the centroid for IP and cosine (as FAISS's IndexIVF with an IP quantizer), nearest for L2; equal
    /// scores go to the smaller list. Partial selection: a bounded heap of the best <paramref name="count"/> over the
    /// nlist scores (O(nlist·log nprobe)), then the heap sorted in place; nothing else is sorted or allocated.
    /// </summary>
    private ReadOnlySpan<int> BestLists(ReadOnlySpan<float> query, int count, float[] scores, int[] order, SimdLevel level)
    {
        int lists = Count;
        _centroids!.Score(query, scores, level);
        count = Math.Min(count, lists);
        Span<int> heap = order.AsSpan(0, count);
        ListSelection.SelectBest(scores.AsSpan(0, lists), heap);
        return heap;
    }

    /// <summary>Maps the pool rows of the sorted candidates of a code-list scan back to global rows.</summary>
    public void TranslatePoolRows(Span<ScoredSlot> sorted)
    {
        ReadOnlySpan<int> globalRows = Partitions[0].GlobalRows;
        for (int c = 0; c < sorted.Length; c++)
        {
            sorted[c] = new ScoredSlot(globalRows[sorted[c].Slot], sorted[c].Score);
        }
    }

    /// <summary>Maps the IVF virtual ids of the sorted candidates back to global rows: list i of the probe order owns
    /// ids [bases[i], bases[i] + rows).</summary>
    public void TranslateVirtualIds(Span<ScoredSlot> sorted, ReadOnlySpan<int> bases, ReadOnlySpan<int> probeOrder)
    {
        for (int c = 0; c < sorted.Length; c++)
        {
            int id = sorted[c].Slot;
            int i = bases.BinarySearch(id);
            if (i < 0)
            {
                i = ~i - 1; // the last list whose base is below the id
            }
            while (i + 1 < bases.Length && bases[i + 1] == bases[i] && bases[i + 1] <= id)
            {
                i++; // empty lists share a base with the next one: the id belongs to the last of them
            }
            int list = probeOrder[i];
            sorted[c] = new ScoredSlot(Partitions[list].GlobalRows[id - bases[i]], sorted[c].Score);
        }
    }

    /// <summary>
    /// Step 2's clustering: the centroids (k-means on the sample, or those the caller gave) and, when
    /// <paramref name="residuals"/>, each list's code centre and room for the rows' list records.
    /// </summary>
    public static void TrainCentroids(IvfTraining training, int dimension, bool l2, ulong seed, bool residuals,
        HadamardRotation rotation, SimdLevel level, int recordSize)
    {
        float[] centroids = training.GivenCentroids ?? KMeans.Train(training.Sample, dimension, training.Lists, seed);
        training.CentroidVectors = centroids;
        training.Centroids = new CentroidTable(centroids, training.Lists, dimension, l2);
        if (residuals)
        {
            training.ListCentres = new CodeCentre[training.Lists];
            for (int list = 0; list < training.Lists; list++)
            {
                training.ListCentres[list] = CodeCentre.Create(centroids.AsSpan(list * dimension, dimension), rotation, level);
            }
            training.ListRecords = new byte[(long)training.Rows * recordSize];
        }
    }
}
