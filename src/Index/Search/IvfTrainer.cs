using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

/// <summary>
/// Trains an index's lists in three steps that let searches and writes go on (<see cref="Begin"/>, <see cref="Run"/>,
/// <see cref="Complete"/>), or rebuilds them around given centroids (<see cref="UseCentroids"/>): the seeded sample of
/// source vectors, k-means and each row's list and residual record, then the switch to the new lists with every live
/// row placed again. Takes the index's lock itself, for the holds each step documents.
/// </summary>
/// <param name="table">The rows.</param>
/// <param name="options">The index's options.</param>
/// <param name="quantizer">Rotation, kernel level and record size of the lists' codes.</param>
/// <param name="gate">The index's lock.</param>
/// <param name="ivfLists">The lists trained.</param>
/// <param name="centring">Whether lists hold residuals, and their encoding.</param>
/// <param name="sources">The vectors sampled, assigned and re-encoded.</param>
/// <param name="placement">Places the rows in the new lists.</param>
internal sealed class IvfTrainer(RowTable table, VectorIndexOptions options, IVectorQuantizer quantizer,
    ReaderWriterLockSlim gate, IvfLists ivfLists, CodeCentring centring, RowSources sources, RowPlacement placement)
{
    /// <summary>Rows assigned to lists per read-lock hold while a training runs (writers wait at most this long).</summary>
    private const int AssignmentChunkRows = 4096;

    /// <summary>Rows read from the external reader per call while re-encoding a chunk for its lists.</summary>
    private const int ListEncodeBatchRows = 256;

    private int Dimension => options.Dimension;

    /// <summary>
    /// Whether the index should now train residual code lists (<see cref="VectorIndex.TrainCodeLists"/>): format-2 codes,
    /// residuals on, originals kept (in memory or readable from storage), at least <paramref name="threshold"/> live
    /// vectors (default <see cref="VectorIndexOptions.CodeListsFromVectors"/>; at least 2), and either no lists of
    /// either kind yet, or code lists that the collection has outgrown: the default count for its size is at least
    /// <see cref="VectorIndex.CodeListRegrowth"/> times theirs (so a collection retrains them at most about every 4× growth, and the
    /// re-encoding stays a bounded share of all encoding). An IVF index qualifies too: until its IVF lists are trained it
    /// scans everything, as a flat one does.
    /// Without originals the rows would be
    /// re-encoded from their decoded codes, which compounds two quantization errors: on a 20k GloVe slice that cost
    /// more recall than the lists gained (recall@10 0.21 against 0.38 at b = 1, 0.86 against 0.89 at b = 4), so such an
    /// index keeps the collection mean.
    /// </summary>
    /// <param name="threshold">Live vectors from which code lists are trained.</param>
    public bool CodeListsDue(int threshold) =>
        centring.IsCentred && options.IvfResiduals && options.Originals != OriginalsFormat.None && table.Count >= Math.Max(2, threshold)
        && (!ivfLists.IsTrained || (ivfLists.AreCodeLists
            && VectorIndexOptions.DefaultCodeListCount(table.Count) >= VectorIndex.CodeListRegrowth * ivfLists.Count));

    /// <summary>
    /// Step 1 of 3 of an IVF training, under a read lock (searches continue, writes wait for the copy): chooses the list
    /// count and copies a seeded sample of the live vectors. Step 2, <see cref="Run"/>, runs k-means and
    /// assigns every existing row to its list without blocking searches or writes (short read-lock holds); step 3,
    /// <see cref="Complete"/>, switches the index to the lists under the write lock, placing rows written
    /// meanwhile. Results equal a training of the same sample done in one piece.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fewer live vectors than lists.</exception>
    /// <param name="nlist">Lists to train; 0 = <see cref="VectorIndexOptions.NList"/>, or about 4·√n.</param>
    public IvfTraining Begin(int nlist)
    {
        using var held = gate.Read();
        int count = table.Count;
        nlist = nlist > 0 ? nlist : options.NList > 0 ? options.NList : VectorIndex.DefaultListCount(count);
        if (count < nlist)
        {
            throw new InvalidOperationException($"IVF with {nlist} lists needs at least {nlist} vectors; the index has {count}.");
        }
        int[] live = LiveRows();
        int sampleSize = Math.Min(live.Length, nlist * VectorIndex.TrainingPointsPerList);
        var rng = new SplitMix64(options.ClusteringSeed);
        // Partial Fisher-Yates: the first sampleSize entries become a uniform sample of the live rows.
        for (int i = 0; i < sampleSize; i++)
        {
            int j = i + rng.NextInt(live.Length - i);
            (live[i], live[j]) = (live[j], live[i]);
        }
        var sample = new float[sampleSize * Dimension];
        // The originals wherever they are kept (one batched read from storage when there), so that the lists do
        // not depend on whether originals are in memory or in storage.
        sources.OfRows(live.AsSpan(0, sampleSize), sample);
        return new IvfTraining(nlist, sample, table.RowCount);
    }

    /// <summary>Step 1 for residual code lists (nlist = 0: <see cref="VectorIndexOptions.DefaultCodeListCount"/>).</summary>
    public IvfTraining BeginCodeLists(int nlist)
    {
        IvfTraining training = Begin(nlist > 0 ? nlist : VectorIndexOptions.DefaultCodeListCount(table.Count));
        training.CodeLists = true;
        return training;
    }

    /// <summary>All three steps in one call.</summary>
    public void Train(IvfTraining training)
    {
        Run(training);
        Complete(training);
    }

    /// <summary>Lists around given centroids (row-major, <paramref name="lists"/>·d floats), every row to its nearest.</summary>
    /// <exception cref="ArgumentException">Not <paramref name="lists"/> centroids of the dimension.</exception>
    public void UseCentroids(int lists, ReadOnlySpan<float> centroids, bool codeLists)
    {
        if (lists < 1 || centroids.Length != lists * Dimension)
        {
            throw new ArgumentException($"{centroids.Length} floats are not {lists} centroids of dimension {Dimension}.", nameof(centroids));
        }
        IvfTraining training;
        using (gate.Read())
        {
            training = new IvfTraining(lists, [], table.RowCount) { GivenCentroids = centroids.ToArray(), CodeLists = codeLists };
        }
        Train(training);
    }

    /// <summary>Step 2: k-means on the sample (no lock), then each existing row's list (read lock per chunk).</summary>
    public void Run(IvfTraining training)
    {
        ArgumentNullException.ThrowIfNull(training);
        bool residuals = centring.IsCentred && options.IvfResiduals;
        IvfLists.TrainCentroids(training, Dimension, options.Metric == Metric.L2, options.ClusteringSeed, residuals,
            quantizer.Rotation, quantizer.Level, quantizer.Layout.RecordSize);
        var assignment = new int[training.Rows];
        for (int first = 0; first < training.Rows; first += AssignmentChunkRows)
        {
            using var held = gate.Read();
            int end = Math.Min(training.Rows, first + AssignmentChunkRows);
            AssignAndEncode(training, assignment, first, end, residuals);
        }
        training.Assignment = assignment;
    }

    /// <summary>
    /// Each row of [first, end): its list (−1 when deleted; rows are immutable once written, as an upsert appends a new
    /// row, so a list computed now stays right) and, for residual lists, its record against that list's centroid, into
    /// the training. Source vectors are fetched <see cref="ListEncodeBatchRows"/> at a time
    /// (<see cref="RowSources.OfRows"/>: one read from storage per batch when originals are kept there).
    /// </summary>
    private void AssignAndEncode(IvfTraining training, int[] assignment, int first, int end, bool residuals)
    {
        int recordSize = quantizer.Layout.RecordSize;
        var rows = new int[ListEncodeBatchRows];
        var vectors = new float[ListEncodeBatchRows * Dimension];
        int row = first;
        while (row < end)
        {
            int n = 0;
            for (; row < end && n < rows.Length; row++)
            {
                assignment[row] = -1;
                if (table.IsLive(row))
                {
                    rows[n++] = row;
                }
            }
            sources.OfRows(rows.AsSpan(0, n), vectors);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> vector = vectors.AsSpan(i * Dimension, Dimension);
                int list = IvfLists.Nearest(vector, training.Centroids!, quantizer.Level);
                assignment[rows[i]] = list;
                if (residuals)
                {
                    centring.EncodeAgainst(vector, training.ListCentres![list],
                        training.ListRecords.AsSpan(rows[i] * recordSize, recordSize));
                }
            }
        }
    }

    /// <summary>
    /// Step 3, under the write lock: the index switches to the trained lists, every live row in its list (rows written
    /// since step 1, and rows step 2 saw deleted, are placed now). Replaces any earlier training.
    /// </summary>
    /// <exception cref="InvalidOperationException">Step 2 has not run.</exception>
    public void Complete(IvfTraining training)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (training.Centroids is not { } centroids || training.Assignment is not { } assignment)
        {
            throw new InvalidOperationException("RunIvfTraining has not run for this training.");
        }
        using var held = gate.Write();
        ivfLists.Adopt(training, table.Capacity, table.Count);
        placement.RestartNormBound();
        int[] live = LiveRows();
        Array.Sort(live);
        foreach (int row in live)
        {
            bool assigned = row < assignment.Length && assignment[row] >= 0;
            int list = assigned ? assignment[row] : placement.NearestList(row, centroids);
            placement.Add(row, list, listRecordReady: assigned && training.ListRecords is not null);
        }
    }

    /// <summary>The live rows, in the row table's id-map order (lock held).</summary>
    private int[] LiveRows()
    {
        var rows = new int[table.Count];
        int n = 0;
        foreach (int row in table.LiveRows)
        {
            rows[n++] = row;
        }
        return rows;
    }
}
