using System.Text;
using VectorDb.Storage.Records;

namespace VectorDb.Storage;

public sealed partial class StoredCollection
{
    /// <summary>
    /// Rebuilds the point location map by replaying the committed codes log (sequential read, no originals). Every
    /// entry is verified (CRC, layout version, consecutive sequence numbers); any failure refuses the open with the
    /// file and offset of the damage. Finally every live point's blob must lie inside the committed blob log.
    /// </summary>
    private void Recover()
    {
        var replay = new Replay(this);
        lock (_locationLock)
        {
            _codes.Scan(_codes.BeginAddress, _codes.CommittedUntilAddress, replay);
            _lastSequence = replay.LastSequence;
            foreach (var (id, location) in _locations.Snapshot())
            {
                if (location.HasBlob && (location.BlobAddress < _blobs.BeginAddress ||
                                         location.BlobAddress + location.BlobLength > _blobs.CommittedUntilAddress))
                {
                    var (file, offset) = _codes.Locate(location.CodesAddress);
                    throw new StorageCorruptionException(file, offset,
                        $"point {id} refers to blob address {location.BlobAddress}, outside the committed blob log " +
                        $"[{_blobs.BeginAddress}, {_blobs.CommittedUntilAddress})");
                }
            }
        }
    }

    private sealed class Replay(StoredCollection collection) : ILogEntryVisitor
    {
        private bool _first = true;

        public ulong LastSequence { get; private set; }

        public bool Visit(ReadOnlySpan<byte> entry, long address, long nextAddress)
        {
            var status = CodesEntry.TryParse(entry, out var parsed);
            if (status != ParseStatus.Ok)
                Fail(address, status == ParseStatus.UnknownLayoutVersion
                    ? $"codes entry has layout version {entry[1]}, this build reads only {CodesEntry.LayoutVersion}"
                    : $"codes entry failed verification ({status})");
            if (!_first && parsed.Sequence != LastSequence + 1)
                Fail(address, $"sequence gap: expected entry {LastSequence + 1}, found {parsed.Sequence}");
            _first = false;
            LastSequence = parsed.Sequence;
            if (parsed.Kind == EntryKind.Delete)
            {
                collection._locations.Remove(parsed.PointId);
                return true;
            }
            string? key = parsed.KeyUtf8.IsEmpty ? null : Encoding.UTF8.GetString(parsed.KeyUtf8);
            collection._locations.Set(parsed.PointId, new PointLocation(
                address, entry.Length, parsed.BlobAddress, parsed.BlobLength, parsed.BlobCrc, key));
            return true;
        }

        private void Fail(long address, string problem)
        {
            var (file, offset) = collection._codes.Locate(address);
            throw new StorageCorruptionException(file, offset, problem);
        }
    }
}
