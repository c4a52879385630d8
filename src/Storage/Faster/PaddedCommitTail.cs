using System.Buffers.Binary;
using FASTER.core;

namespace VectorDb.Storage.Faster;

/// <summary>
/// Reopens a single-appender log whose commit ends at a page start just after end-of-page padding at the end of its
/// last entry instead. Such a commit was taken while the entry that did not fit in the rest of the page waited for a
/// page buffer (the tail parked on the next page start); a single-appender log no longer commits one (see
/// <see cref="FasterAppendLog.TryAppend"/>), but one written before (codes logs up to session 8) may end that way.
/// Recovered as it is, the tail would stay on that page start, the next append (any entry, perhaps one that would
/// have fitted in the padding) would open the page, and the exact padding check would then report the padding as
/// unreadable entries. Recovered to the end of the last entry, appends continue inside the page as after any other
/// commit. Only all-zero padding shorter than one maximal entry is moved over, i.e. what
/// <see cref="FasterAppendLog.Scan"/> accepts as padding before a page-start end anyway; anything else is left for
/// the scan to report.
/// </summary>
internal static class PaddedCommitTail
{
    /// <summary>The commit to recover from: <paramref name="commit"/>, or a copy whose until address is the end of
    /// the last entry when <paramref name="commit"/> ends at a page start after padding (see the class summary).</summary>
    /// <param name="device">The log's segment files.</param>
    /// <param name="geometry">The log's page and segment sizes.</param>
    /// <param name="commit">FASTER commit metadata from the commit slot.</param>
    /// <param name="maxFramedEntry">Bytes of the largest entry with its length header: padding is shorter.</param>
    public static byte[] EndOfLastEntry(SyncedFileDevice device, LogGeometry geometry, byte[] commit, int maxFramedEntry)
    {
        var info = new FasterLogRecoveryInfo();
        using (var reader = new BinaryReader(new MemoryStream(commit)))
            info.Initialize(reader);
        long pageSize = 1L << geometry.PageBits;
        long until = info.UntilAddress;
        if ((until & (pageSize - 1)) != 0 || until <= info.BeginAddress)
            return commit;
        // Entries never cross a page, and the begin address is an entry start: walk the last page's entries.
        long start = Math.Max(info.BeginAddress, until - pageSize);
        var bytes = new byte[until - start];
        if (!device.TryReadDirect((int)(start >> geometry.SegmentBits), start & ((1L << geometry.SegmentBits) - 1), bytes))
            return commit;
        int end = 0;
        while (end + sizeof(int) <= bytes.Length)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(end));
            if (length == 0)
                break;
            if (length < 0 || length > bytes.Length)
                return commit; // not FASTER framing: the scan reports it
            end += sizeof(int) + ((length + 3) & ~3);
        }
        if (end >= bytes.Length || bytes.Length - end >= maxFramedEntry || bytes.AsSpan(end).ContainsAnyExcept((byte)0))
            return commit;
        info.UntilAddress = start + end;
        return info.ToByteArray();
    }
}
