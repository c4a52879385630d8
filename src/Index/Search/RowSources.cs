using VectorDb.Index.Common;
using VectorDb.Index.Rerank;

namespace VectorDb.Index.Search;

/// <summary>
/// The vectors a row's codes are made from when it is (re-)encoded, trained on or assigned to a list: its original,
/// from memory or else through the external reader (so the codes do not depend on where the originals are kept),
/// normalised for cosine; its decoded record when there is none. Reads the row table; the caller holds the index's
/// lock.
/// </summary>
/// <param name="rows">The row table (ids, records, live rows).</param>
/// <param name="originals">Where the originals are.</param>
/// <param name="centring">Decodes records.</param>
/// <param name="options">Dimension and metric.</param>
internal sealed class RowSources(RowTable rows, RowOriginals originals, CodeCentring centring, VectorIndexOptions options)
{
    private int Dimension => options.Dimension;

    /// <summary>Row's source vector: the original wherever it is kept, else the decoded record.</summary>
    public void OfRow(int row, Span<float> destination)
    {
        if (!originals.TryCopy(row, destination))
        {
            Of(rows.IdOf(row), default, rows.RecordOf(row), destination);
        }
    }

    /// <summary><see cref="OfRow"/> for a point that is not (yet) a row: <paramref name="original"/> when given
    /// (normalised here for cosine), else the external reader's, else the decoded <paramref name="record"/>.</summary>
    public void Of(ulong id, ReadOnlySpan<float> original, ReadOnlySpan<byte> record, Span<float> destination)
    {
        if (!original.IsEmpty)
        {
            original.CopyTo(destination);
            if (options.Metric == Metric.Cosine)
            {
                UnitNormalisation.Normalise(destination);
            }
        }
        else if (!originals.TryRead(id, destination))
        {
            centring.Decode(record, destination);
        }
    }

    /// <summary>
    /// <see cref="OfRow"/> for many rows with one call to the external reader (rows one after another in
    /// <paramref name="destination"/>), so that re-encoding rows whose originals are in storage does not read them one
    /// by one.
    /// </summary>
    public void OfRows(ReadOnlySpan<int> rowList, Span<float> destination)
    {
        Span<bool> found = rowList.Length <= 1024 ? stackalloc bool[rowList.Length] : new bool[rowList.Length];
        found.Clear();
        if (originals.Store is null)
        {
            Span<ulong> ids = rowList.Length <= 1024 ? stackalloc ulong[rowList.Length] : new ulong[rowList.Length];
            for (int i = 0; i < rowList.Length; i++)
            {
                ids[i] = rows.IdOf(rowList[i]);
            }
            originals.TryRead(ids, destination, found);
        }
        for (int i = 0; i < rowList.Length; i++)
        {
            if (!found[i])
            {
                Span<float> vector = destination.Slice(i * Dimension, Dimension);
                if (!originals.TryCopy(rowList[i], vector))
                {
                    centring.Decode(rows.RecordOf(rowList[i]), vector);
                }
            }
        }
    }

    /// <summary>
    /// The mean (double sums) of every live row's source vector and of <paramref name="extra"/> (vectors one after
    /// another, as a caller is about to add them; normalised here for cosine). Read lock held.
    /// </summary>
    public float[] Mean(ReadOnlySpan<float> extra)
    {
        var sums = new double[Dimension];
        var vector = new float[Dimension];
        int n = 0;
        foreach (int row in rows.LiveRows)
        {
            OfRow(row, vector);
            Accumulate(sums, vector);
            n++;
        }
        for (int i = 0; i < extra.Length / Dimension; i++)
        {
            extra.Slice(i * Dimension, Dimension).CopyTo(vector);
            if (options.Metric == Metric.Cosine)
            {
                UnitNormalisation.Normalise(vector);
            }
            Accumulate(sums, vector);
            n++;
        }
        var mean = new float[Dimension];
        for (int j = 0; j < Dimension && n > 0; j++)
        {
            mean[j] = (float)(sums[j] / n);
        }
        return mean;
    }

    private static void Accumulate(double[] sums, ReadOnlySpan<float> vector)
    {
        for (int j = 0; j < sums.Length; j++)
        {
            sums[j] += vector[j];
        }
    }
}
