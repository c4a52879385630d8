using VectorDb.Index.Clustering;

namespace VectorDb.Index.Search;

/// <summary>
/// An IVF training in progress (<see cref="VectorIndex.BeginIvfTraining"/>): the sample, then the centroids and the
/// list of every row that existed when it began. Owned by one caller; not thread-safe.
/// </summary>
public sealed class IvfTraining
{
    internal IvfTraining(int lists, float[] sample, int rows)
    {
        Lists = lists;
        Sample = sample;
        Rows = rows;
    }

    /// <summary>Lists being trained.</summary>
    public int Lists { get; }

    /// <summary>Rows (deleted ones included) the index held when the training began; rows after them are placed when
    /// the training completes.</summary>
    public int Rows { get; }

    internal float[] Sample { get; }

    /// <summary>Whether the lists are residual code lists (every list scanned) rather than IVF lists.</summary>
    public bool CodeLists { get; internal set; }

    /// <summary>Centroids given by the caller (a reopened collection's persisted ones): no k-means then.</summary>
    internal float[]? GivenCentroids { get; init; }

    /// <summary>The centroids (row-major), once step 2 has run.</summary>
    internal float[]? CentroidVectors { get; set; }

    internal CentroidTable? Centroids { get; set; }

    /// <summary>List of each row below <see cref="Rows"/> (−1 for rows deleted before it was computed).</summary>
    internal int[]? Assignment { get; set; }

    /// <summary>The list centroids as code centres, when lists hold residual codes (format 2), else null.</summary>
    internal Quantization.CodeCentre[]? ListCentres { get; set; }

    /// <summary>With <see cref="ListCentres"/>: each assigned row's record against its list centroid, row-major.</summary>
    internal byte[]? ListRecords { get; set; }
}
