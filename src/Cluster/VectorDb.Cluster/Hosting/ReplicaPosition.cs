using System.Globalization;
using System.Text;
using VectorDb.Cluster.Storage;

namespace VectorDb.Cluster.Hosting;

/// <summary>
/// Where one local replica stands. Changed only by its (non-reentrant) grain, read by status calls.
/// <para>Durable part: after each write applied durably, <c>"&lt;epoch&gt; &lt;sequence&gt; &lt;writer&gt;"</c> is saved to
/// <c>&lt;shard&gt;.position</c> (atomic replace, flushed); files of sessions 6-7 hold no writer and are still read. A
/// write is appended to the shard's log tail before it is applied, so a crash between the write and the save leaves
/// the file one write behind the tail; the replica's grain re-applies that write from the tail when it next activates,
/// which is idempotent (upserts and deletes by id or filter give the same state again).
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

    /// <summary>The silo (Orleans address, one incarnation) that last saved this position, or null in an older file:
    /// after a restart it names the dead incarnation whose disk this is, which is how the supervisor recognises the
    /// returning disk of a dead primary.</summary>
    public string? Writer { get; private set; }

    /// <summary>The local shard holds exactly the writes up to <see cref="Sequence"/> of <see cref="Epoch"/>'s log
    /// (false during and after an interrupted full sync).</summary>
    public bool Complete { get; private set; }

    /// <summary>Holds every write up to <see cref="Sequence"/> and serves reads and shipped writes (false after a
    /// restart until caught up or re-synced).</summary>
    public bool Synced { get; set; }

    /// <summary>A catch-up from a primary's tail is in progress.</summary>
    public bool CatchingUp { get; set; }

    /// <summary>Epoch of the primary running the catch-up in progress.</summary>
    public long CatchUpEpoch { get; set; }

    /// <summary>The <see cref="Writer"/> read from disk when this silo started (null when none, and once this copy
    /// was re-synced or caught up): names the dead incarnation whose complete copy this disk holds.</summary>
    public string? RestoredFrom { get; set; }

    /// <summary>Writes and points this replica received by catch-up, and points by full sync, since the silo started
    /// (what the tests count to show that a catch-up shipped only the tail).</summary>
    public SyncCounters Received { get; } = new();

    /// <summary>Records (and saves) that the shard now holds the writes up to <paramref name="sequence"/>, as saved by
    /// <paramref name="writer"/> (this silo's address).</summary>
    public void Advance(long epoch, long sequence, string writer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(writer);
        Epoch = epoch;
        Sequence = sequence;
        Writer = writer;
        Complete = true;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        SharedFolder.WriteAtomically(_path, Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{epoch} {sequence} {writer}\n")));
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
        RestoredFrom = null;
    }

    /// <summary>The position saved at <paramref name="path"/> (complete, not synced), or a new one when none is.</summary>
    internal static ReplicaPosition Load(string path)
    {
        var position = new ReplicaPosition(path);
        if (File.Exists(path))
        {
            var parts = File.ReadAllText(path, Encoding.ASCII).Split(' ', StringSplitOptions.TrimEntries);
            if (parts.Length is not (2 or 3) || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long epoch)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
            {
                throw new InvalidDataException($"replica position file {path} is not '<epoch> <sequence> [<writer>]'.");
            }
            position.Writer = parts.Length == 3 ? parts[2] : null;
            position.RestoredFrom = position.Writer;
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

    /// <summary>Writes made on the primary while a full sync copied the shard, shipped after the copy.</summary>
    public long FullSyncRedoWrites { get; set; }
}
