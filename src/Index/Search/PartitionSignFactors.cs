using VectorDb.Index.Scan;

namespace VectorDb.Index.Search;

/// <summary>A partition's QJL sign factors as the scan's <see cref="QjlScorer"/> reads them (live: rows appended
/// after the scorer was made are seen).</summary>
internal sealed class PartitionSignFactors(CodePartition partition) : IRowSignFactors
{
    public ReadOnlySpan<float> SignFactors => partition.SignFactors;
}
