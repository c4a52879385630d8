using VectorDb.Index.Clustering;
using VectorDb.Index.Common;
using VectorDb.Index.Rerank;
using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

public sealed partial class VectorIndex
{
    /// <summary>Rows assigned to lists per read-lock hold while a training runs (writers wait at most this long).</summary>
    private const int AssignmentChunkRows = 4096;

    /// <summary>
    /// Step 1 of 3 of an IVF training, under a read lock (searches continue, writes wait for the copy): chooses the list
    /// count and copies a seeded sample of the live vectors. Step 2, <see cref="RunIvfTraining"/>, runs k-means and
    /// assigns every existing row to its list without blocking searches or writes (short read-lock holds); step 3,
    /// <see cref="CompleteIvfTraining"/>, switches the index to the lists under the write lock, placing rows written
    /// meanwhile. Results equal a training of the same sample done in one piece.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fewer live vectors than lists.</exception>
    public IvfTraining BeginIvfTraining(int nlist = 0)
    {
        _lock.EnterReadLock();
        try
        {
            nlist = nlist > 0 ? nlist : Options.NList > 0 ? Options.NList : DefaultListCount(Count);
            if (Count < nlist)
            {
                throw new InvalidOperationException($"IVF with {nlist} lists needs at least {nlist} vectors; the index has {Count}.");
            }
            int[] live = LiveRows();
            int sampleSize = Math.Min(live.Length, nlist * TrainingPointsPerList);
            var rng = new SplitMix64(Options.ClusteringSeed);
            // Partial Fisher-Yates: the first sampleSize entries become a uniform sample of the live rows.
            for (int i = 0; i < sampleSize; i++)
            {
                int j = i + rng.NextInt(live.Length - i);
                (live[i], live[j]) = (live[j], live[i]);
            }
            var sample = new float[sampleSize * Dimension];
            // The originals wherever they are kept (one batched read from storage when there), so that the lists do
            // not depend on whether originals are in memory or in storage.
            SourceVectorsOfRows(live.AsSpan(0, sampleSize), sample);
            return new IvfTraining(nlist, sample, _rows);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Builds IVF lists around <paramref name="centroids"/> (row-major, <paramref name="lists"/>·d floats) instead of
    /// training: how a reopened collection gets back the lists it had (<see cref="IvfCentroidVectors"/>), so that it
    /// answers as before. Every row goes to its nearest list, as a training's assignment would put it.
    /// </summary>
    public void UseIvfCentroids(int lists, ReadOnlySpan<float> centroids) => UseCentroids(lists, centroids, codeLists: false);

    /// <summary>As <see cref="UseIvfCentroids"/>, for residual code lists (<see cref="TrainCodeLists"/>).</summary>
    public void UseCodeListCentroids(int lists, ReadOnlySpan<float> centroids) => UseCentroids(lists, centroids, codeLists: true);

    private void UseCentroids(int lists, ReadOnlySpan<float> centroids, bool codeLists)
    {
        if (lists < 1 || centroids.Length != lists * Dimension)
        {
            throw new ArgumentException($"{centroids.Length} floats are not {lists} centroids of dimension {Dimension}.", nameof(centroids));
        }
        IvfTraining training;
        _lock.EnterReadLock();
        try
        {
            training = new IvfTraining(lists, [], _rows) { GivenCentroids = centroids.ToArray(), CodeLists = codeLists };
        }
        finally
        {
            _lock.ExitReadLock();
        }
        RunIvfTraining(training);
        CompleteIvfTraining(training);
    }

    /// <summary>The trained lists' centroids, IVF or code lists (row-major, <see cref="ListCount"/>·d floats), or null
    /// before training.</summary>
    public float[]? IvfCentroidVectors() => _lists.CopyCentroidVectors();

    /// <summary>Step 2: k-means on the sample (no lock), then each existing row's list (read lock per chunk).</summary>
    public void RunIvfTraining(IvfTraining training)
    {
        ArgumentNullException.ThrowIfNull(training);
        bool residuals = _centred && Options.IvfResiduals;
        IvfLists.TrainCentroids(training, Dimension, Options.Metric == Metric.L2, Options.ClusteringSeed, residuals,
            Quantizer.Rotation, Quantizer.Level, Layout.RecordSize);
        var assignment = new int[training.Rows];
        for (int first = 0; first < training.Rows; first += AssignmentChunkRows)
        {
            _lock.EnterReadLock();
            try
            {
                int end = Math.Min(training.Rows, first + AssignmentChunkRows);
                AssignAndEncode(training, assignment, first, end, residuals);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
        training.Assignment = assignment;
    }

    /// <summary>Rows read from the external reader per call while re-encoding a chunk for its lists.</summary>
    private const int ListEncodeBatchRows = 256;

    /// <summary>
    /// Each row of [first, end): its list (−1 when deleted; rows are immutable once written, as an upsert appends a new
    /// row, so a list computed now stays right) and, for residual lists, its record against that list's centroid, into
    /// the training. Source vectors are fetched <see cref="ListEncodeBatchRows"/> at a time
    /// (<see cref="SourceVectorsOfRows"/>: one read from storage per batch when originals are kept there).
    /// </summary>
    private void AssignAndEncode(IvfTraining training, int[] assignment, int first, int end, bool residuals)
    {
        var rows = new int[ListEncodeBatchRows];
        var vectors = new float[ListEncodeBatchRows * Dimension];
        int row = first;
        while (row < end)
        {
            int n = 0;
            for (; row < end && n < rows.Length; row++)
            {
                assignment[row] = -1;
                if (IsLiveRow(row))
                {
                    rows[n++] = row;
                }
            }
            SourceVectorsOfRows(rows.AsSpan(0, n), vectors);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> vector = vectors.AsSpan(i * Dimension, Dimension);
                int list = IvfLists.Nearest(vector, training.Centroids!, Quantizer.Level);
                assignment[rows[i]] = list;
                if (residuals)
                {
                    _centredCodec!.EncodeCentred(vector, training.ListCentres![list], Options.Metric == Metric.L2,
                        training.ListRecords.AsSpan(rows[i] * Layout.RecordSize, Layout.RecordSize), _rho, _scaleSearch);
                }
            }
        }
    }

    /// <summary>
    /// Step 3, under the write lock: the index switches to the trained lists, every live row in its list (rows written
    /// since step 1, and rows step 2 saw deleted, are placed now). Replaces any earlier training.
    /// </summary>
    /// <exception cref="InvalidOperationException">Step 2 has not run.</exception>
    public void CompleteIvfTraining(IvfTraining training)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (training.Centroids is not { } centroids || training.Assignment is not { } assignment)
        {
            throw new InvalidOperationException("RunIvfTraining has not run for this training.");
        }
        _lock.EnterWriteLock();
        try
        {
            _lists.Adopt(training, _ids.Length, Count, NewPartition);
            // Only the live rows are in the lists, with norms of their new residuals: the bound restarts from them, so
            // it does not depend on which rows happened to be added before the switch.
            _maxNorm = 0;
            int[] live = LiveRows();
            Array.Sort(live);
            foreach (int row in live)
            {
                bool assigned = row < assignment.Length && assignment[row] >= 0;
                int list = assigned ? assignment[row] : NearestList(row, centroids);
                AddToPartition(row, list, listRecordReady: assigned && training.ListRecords is not null);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }
}
