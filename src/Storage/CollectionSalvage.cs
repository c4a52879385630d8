using System.Text;
using VectorDb.Storage.Faster;
using VectorDb.Storage.Io;
using VectorDb.Storage.Records;

namespace VectorDb.Storage;

/// <summary>What <see cref="CollectionSalvage.SalvageAsync"/> recovered and what it had to leave behind.</summary>
/// <param name="PointsRecovered">Points copied, each verified intact (codes entry and blob checksums).</param>
/// <param name="PointsLost">Ids whose latest known version could not be read intact (damaged blob).</param>
/// <param name="DamagedRanges">Byte ranges skipped as unreadable: file, offset, length.</param>
/// <param name="UsedOlderCommitSlot">The commit point used may be older than the newest one written, so writes
/// acknowledged after it may be missing: a commit slot is damaged and it is not the older of the two (its own
/// sequence field does not read one below the intact slot's, e.g. the newer slot was damaged or its sequence is
/// unreadable), or no slot is intact (the whole files were read). False when both slots verify, or when only the
/// older slot is damaged and the newest commit was used.</param>
/// <param name="DamagedCommitSlots">Commit slots (0..2) that failed their checksum (2 also when the slot file is
/// missing or truncated).</param>
/// <remarks>Points whose codes entries lay in a damaged range are not known to salvage: if an older intact entry of
/// the same id exists, that older version is restored. <see cref="DamagedRanges"/> says where to look.</remarks>
public sealed record SalvageReport(
    long PointsRecovered,
    IReadOnlyList<ulong> PointsLost,
    IReadOnlyList<(string File, long Offset, long Length)> DamagedRanges,
    bool UsedOlderCommitSlot,
    int DamagedCommitSlots);

/// <summary>
/// Repair path for a collection that refuses to open with <see cref="StorageCorruptionException"/>: reads its log
/// files directly (not through FASTER), skips damaged bytes, keeps every point whose codes entry and blob both pass
/// their checksums, and writes those points into a new collection of the same manifest. The damaged collection is
/// left untouched; drop it once the salvaged copy is checked. See docs/storage.md, "Repair and salvage".
/// </summary>
public static class CollectionSalvage
{
    private static SlotSurvey NoCommitPoint =>
        new(0, null, null, DamagedSlots: 2, DamagedSlot: null, DamagedSlotMayBeNewer: true, Owners: [null, null]);

    public static async Task<SalvageReport> SalvageAsync(CollectionCatalogue catalogue, string damagedName, string targetName,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var directory = Path.Combine(catalogue.RootDirectory, damagedName);
        var manifest = catalogue.ReadManifest(damagedName); // a damaged manifest must be rewritten by hand (documented)
        var layout = LogLayoutFile.Read(directory);
        CollectionIdentity.Verify(directory, manifest, layout); // a foreign manifest would misread every entry

        long codesEnd = long.MaxValue, blobsEnd = long.MaxValue, codesBegin = 0;
        SlotSurvey slots;
        try
        {
            slots = CommitSlotFile.Survey(directory);
            if (Array.Exists(slots.Owners, owner => owner is not null && owner != (manifest.CollectionId ?? "")))
            {
                // A slot file copied from another collection: its committed ranges say nothing about these logs.
                slots = NoCommitPoint;
            }
            if (slots.CodesCommit is not null)
                (codesBegin, codesEnd, _) = StagedCommitManager.Describe(slots.CodesCommit);
            if (slots.BlobsCommit is not null)
                (_, blobsEnd, _) = StagedCommitManager.Describe(slots.BlobsCommit);
        }
        catch (StorageCorruptionException)
        {
            // No usable commit point (slot file missing or truncated): read everything that is in the files.
            slots = NoCommitPoint;
        }

        var damaged = new List<(string, long, long)>();
        var latest = new Dictionary<ulong, (long BlobAddress, uint BlobCrc, byte[] Codes, string? Key, bool Deleted)>();
        RawLogReader.Scan(Path.Combine(directory, StoredCollection.CodesLogName), layout.CodesPageBits, layout.SegmentBits,
            codesBegin, codesEnd,
            body => CodesEntry.TryParse(body.Span, out _) == ParseStatus.Ok,
            (_, body) =>
            {
                CodesEntry.TryParse(body.Span, out var entry);
                latest[entry.PointId] = entry.Kind == EntryKind.Delete
                    ? (0, 0, [], null, true)
                    : (entry.BlobAddress, entry.BlobCrc, entry.Codes.ToArray(),
                        entry.KeyUtf8.IsEmpty ? null : Encoding.UTF8.GetString(entry.KeyUtf8), false);
            },
            (file, offset, length) => damaged.Add((file, offset, length)));

        var lost = new List<ulong>();
        var batch = new List<PointWrite>();
        long recovered = 0;
        // The copy is written in the current record layout: the entry bytes of every readable layout are the same, and
        // an older layout's keys mean no more than the current one's.
        await using var target = catalogue.CreateCollection(targetName,
            manifest with { RecordLayoutVersion = CollectionManifest.CurrentRecordLayoutVersion });
        if (CentreFile.Exists(directory))
        {
            // Centred codes are residuals to this centre: the copy must keep it (a damaged centre file fails here).
            target.WriteCentre(CentreFile.Read(directory).Vector);
        }
        var blobBase = Path.Combine(directory, StoredCollection.BlobLogName);
        foreach (var (id, point) in latest)
        {
            if (point.Deleted)
                continue;
            byte[] original = [], payload = [];
            if (point.BlobAddress != 0)
            {
                var bytes = point.BlobAddress < blobsEnd ? RawLogReader.ReadEntry(blobBase, layout.SegmentBits, point.BlobAddress) : null;
                if (bytes is null || !BlobEntry.TryVerify(bytes, id, point.BlobCrc, out var blob))
                {
                    lost.Add(id);
                    continue;
                }
                original = blob.Original.ToArray();
                payload = blob.Payload.ToArray();
            }
            batch.Add(new PointWrite(id, point.Codes, original, payload, point.Key));
            if (batch.Count == 256)
                await Flush().ConfigureAwait(false);
        }
        await Flush().ConfigureAwait(false);
        await target.FlushAsync().ConfigureAwait(false);
        return new SalvageReport(recovered, lost, damaged, slots.DamagedSlotMayBeNewer, slots.DamagedSlots);

        async Task Flush()
        {
            await target.UpsertAsync(batch.ToArray(), wait: false, cancellationToken).ConfigureAwait(false);
            recovered += batch.Count;
            batch.Clear();
        }
    }
}
