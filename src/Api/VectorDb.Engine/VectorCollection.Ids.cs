using System.Collections.Concurrent;
using VectorDb.Storage;

namespace VectorDb;

/// <summary>
/// Point ids (numbers and UUIDs) ↔ the index's and storage's 64-bit slots. A numeric id is its own slot. A UUID id
/// lives in a slot of the upper half (≥ 2^63), chosen once by hashing the UUID and probing upwards past taken slots,
/// and is persisted as the storage entry's key (its canonical text), so a reopen restores the same slots. A numeric
/// id ≥ 2^63 that falls on a slot a UUID already holds is refused (about one chance in 2^63 / UUIDs held).
/// Slots are assigned and released under the write gate only; readers see a consistent snapshot of each map.
/// </summary>
public sealed partial class VectorCollection
{
    private const ulong UuidSlotBase = 1UL << 63;
    private readonly ConcurrentDictionary<Guid, ulong> _uuidSlots = new();
    private readonly ConcurrentDictionary<ulong, Guid> _slotUuids = new();

    /// <summary>The id of the point in <paramref name="slot"/>.</summary>
    private PointId ExternalId(ulong slot) => _slotUuids.TryGetValue(slot, out Guid uuid) ? PointId.FromUuid(uuid) : PointId.FromNumber(slot);

    /// <summary>The slot that holds <paramref name="id"/>, or null when no live point has that id.</summary>
    private ulong? FindSlot(PointId id)
    {
        if (id.IsUuid)
        {
            return _uuidSlots.TryGetValue(id.Uuid, out ulong slot) ? slot : null;
        }
        ulong number = id.Number;
        return _slotUuids.ContainsKey(number) ? null : number;
    }

    /// <summary>Slots and storage keys for a batch (write gate held). Numeric ids keep their number; a UUID keeps
    /// the slot it has or gets a free one. Throws <see cref="ArgumentException"/> before anything is written.</summary>
    private (ulong Slot, string? Key)[] AssignSlots(IReadOnlyList<PointInput> points)
    {
        var assigned = new (ulong Slot, string? Key)[points.Count];
        var taken = new HashSet<ulong>();
        bool anyUuid = false;
        for (int i = 0; i < points.Count; i++)
        {
            PointId id = points[i].Id;
            if (id.IsUuid)
            {
                anyUuid = true;
                continue;
            }
            if (_slotUuids.TryGetValue(id.Number, out Guid holder))
            {
                throw new ArgumentException(
                    $"numeric id {id.Number} (batch index {i}) falls on the internal slot of UUID point {holder} in collection '{Name}'; " +
                    "numeric ids of 2^63 and above may do so (rarely): use another id.", nameof(points));
            }
            assigned[i] = (id.Number, null);
            taken.Add(id.Number);
        }
        if (!anyUuid)
        {
            return assigned;
        }
        if (_store.Manifest.RecordLayoutVersion < CollectionManifest.UuidKeysRecordLayoutVersion)
        {
            throw new ArgumentException(
                $"collection '{Name}' was created by an earlier version (record layout {_store.Manifest.RecordLayoutVersion}) and holds " +
                "numeric ids only; copy it into a new collection to use UUID ids.", nameof(points));
        }
        for (int i = 0; i < points.Count; i++)
        {
            PointId id = points[i].Id;
            if (!id.IsUuid)
            {
                continue;
            }
            if (!_uuidSlots.TryGetValue(id.Uuid, out ulong slot))
            {
                slot = FirstSlot(id.Uuid);
                while (_points.ContainsKey(slot) || taken.Contains(slot))
                {
                    slot = UuidSlotBase | (slot + 1); // wraps within the upper half
                }
            }
            assigned[i] = (slot, id.Uuid.ToString("D"));
            taken.Add(slot);
        }
        return assigned;
    }

    /// <summary>Records the UUID slots of a batch just written (write gate held).</summary>
    private void RememberSlots(IReadOnlyList<PointInput> points, (ulong Slot, string? Key)[] assigned)
    {
        for (int i = 0; i < points.Count; i++)
        {
            if (points[i].Id.IsUuid)
            {
                _uuidSlots[points[i].Id.Uuid] = assigned[i].Slot;
                _slotUuids[assigned[i].Slot] = points[i].Id.Uuid;
            }
        }
    }

    /// <summary>Forgets the UUID of a deleted slot, if it had one (write gate held).</summary>
    private void ForgetSlot(ulong slot)
    {
        if (_slotUuids.TryRemove(slot, out Guid uuid))
        {
            _uuidSlots.TryRemove(uuid, out _);
        }
    }

    /// <summary>Restores a stored point's UUID from its storage key while the collection is opened.</summary>
    private void RestoreSlot(ulong slot, string? key)
    {
        if (key is null)
        {
            return;
        }
        if (!Guid.TryParseExact(key, "D", out Guid uuid))
        {
            throw new InvalidDataException($"collection '{Name}': point slot {slot} has the key '{key}', which is not a UUID id.");
        }
        _uuidSlots[uuid] = slot;
        _slotUuids[slot] = uuid;
    }

    /// <summary>Where a UUID's probe starts: a SplitMix64 mix of its 128 bits, in the upper half.</summary>
    private static ulong FirstSlot(Guid uuid)
    {
        Span<byte> bytes = stackalloc byte[16];
        uuid.TryWriteBytes(bytes, bigEndian: true, out _);
        ulong z = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes) ^
                  (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return UuidSlotBase | (z ^ (z >> 31));
    }

    /// <summary>The slots of the live points among <paramref name="ids"/> (absent ids are skipped).</summary>
    private ulong[] LiveSlots(IEnumerable<PointId> ids) =>
        [.. ids.Distinct().Select(FindSlot).Where(slot => slot is { } s && _points.ContainsKey(s)).Select(slot => slot!.Value)];
}
