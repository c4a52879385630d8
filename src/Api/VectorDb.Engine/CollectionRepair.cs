using VectorDb.Storage;

namespace VectorDb;

/// <summary>What <see cref="CollectionRepair.SalvageAsync"/> recovered and what it had to leave behind (docs/storage.md,
/// "Repair and salvage").</summary>
/// <param name="PointsRecovered">Points copied, each verified intact (codes entry and blob checksums).</param>
/// <param name="PointsLost">Internal slots (a numeric id is its own slot) whose latest version could not be read
/// intact.</param>
/// <param name="DamagedRanges">Byte ranges skipped as unreadable: file, offset, length.</param>
/// <param name="UsedOlderCommitSlot">Writes acknowledged after the commit point used may be missing.</param>
public sealed record SalvageResult(
    long PointsRecovered,
    IReadOnlyList<ulong> PointsLost,
    IReadOnlyList<(string File, long Offset, long Length)> DamagedRanges,
    bool UsedOlderCommitSlot);

/// <summary>
/// The operator's repair of a collection the database refuses as damaged (<see cref="CollectionDamagedException"/>).
/// Works on the data directory itself and must run while no database has it open.
/// </summary>
public static class CollectionRepair
{
    /// <summary>Copies every intact point of <paramref name="damagedName"/> into a new collection
    /// <paramref name="targetName"/> of the same configuration; the damaged collection is left as it is.</summary>
    public static async Task<SalvageResult> SalvageAsync(string dataDirectory, string damagedName, string targetName,
        CancellationToken cancellationToken = default)
    {
        using var catalogue = CollectionCatalogue.Open(dataDirectory);
        var report = await CollectionSalvage.SalvageAsync(catalogue, damagedName, targetName, cancellationToken).ConfigureAwait(false);
        return new SalvageResult(report.PointsRecovered, report.PointsLost, report.DamagedRanges, report.UsedOlderCommitSlot);
    }

    /// <summary>Deletes a collection's files from a data directory that no database has open (e.g. a damaged one
    /// once its salvaged copy is checked).</summary>
    public static void Drop(string dataDirectory, string name)
    {
        using var catalogue = CollectionCatalogue.Open(dataDirectory);
        catalogue.DropCollection(name);
    }
}
