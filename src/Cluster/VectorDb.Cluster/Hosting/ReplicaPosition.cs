using System.Globalization;
using System.Text;
using VectorDb.Cluster.Storage;

namespace VectorDb.Cluster.Hosting;

/// <summary>
/// Where one local replica stands. Changed only by its (non-reentrant) grain, read by status calls.
/// <para>Durable part: after each write applied durably, (epoch, sequence) is saved to <c>&lt;shard&gt;.position</c>
/// (atomic replace, flushed). A crash between the write and the save leaves the file one write behind; the catch-up
/// then re-applies that write, which is idempotent (upserts and deletes by id or filter give the same state again).
/// The file is deleted before the shard is recreated for a full sync, so a copy cut off half-way is never taken for
/// a complete one.</para>
/// </summary>
public sealed class ReplicaPosition
{
    private readonly string _path;

    private ReplicaPosition(string path) => _path = path;

    /// <summary>Highest epoch seen; shipped writes from older epochs are refused.</summary>
    public long Epoch { get; set; }

    /// <summary>Last write applied (the shard log position).</summary>
    public long Sequence { get; set; }

    /// <summary>The local shard holds exactly the writes up to <see cref="Sequence"/> of <see cref="Epoch"/>'s log
    /// (false during and after an interrupted full sync).</summary>
    public bool Complete { get; private set; }

    /// <summary>Holds every write up to <see cref="Sequence"/> and serves reads and shipped writes (false after a
    /// restart until caught up or re-synced).</summary>
    public bool Synced { get; set; }

    /// <summary>A catch-up from a primary's tail is in progress.</summary>
    public bool CatchingUp { get; set; }

    /// <summary>Writes and points this replica received by catch-up, and points by full sync, since the silo started
    /// (what the tests count to show that a catch-up shipped only the tail).</summary>
    public SyncCounters Received { get; } = new();

    /// <summary>Records (and saves) that the shard now holds the writes up to <paramref name="sequence"/>.</summary>
    public void Advance(long epoch, long sequence)
    {
        Epoch = epoch;
        Sequence = sequence;
        Complete = true;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        SharedFolder.WriteAtomically(_path, Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{epoch} {sequence}\n")));
    }

    /// <summary>Forgets the saved position (the shard is about to be recreated or dropped).</summary>
    public void Invalidate(long epoch)
    {
        if (File.Exists(_path))
        {
            File.Delete(_path);
        }
        Epoch = epoch;
        Sequence = 0;
        Complete = false;
        Synced = false;
        CatchingUp = false;
    }

    /// <summary>The position saved at <paramref name="path"/> (complete, not synced), or a new one when none is.</summary>
    internal static ReplicaPosition Load(string path)
    {
        var position = new ReplicaPosition(path);
        if (File.Exists(path))
        {
            var parts = File.ReadAllText(path, Encoding.ASCII).Split(' ', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long epoch)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
            {
                throw new InvalidDataException($"replica position file {path} is not '<epoch> <sequence>'.");
            }
            position.Epoch = epoch;
            position.Sequence = sequence;
            position.Complete = true;
        }
        return position;
    }
}

/// <summary>Counts of what a replica received by each kind of sync.</summary>
public sealed class SyncCounters
{
    public long CatchUps { get; set; }

    public long CatchUpWrites { get; set; }

    public long CatchUpPoints { get; set; }

    public long FullSyncs { get; set; }

    public long FullSyncPoints { get; set; }
}
