using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using VectorDb.Cluster.Storage;

namespace VectorDb.Cluster.Membership;

/// <summary>
/// Orleans' membership table in one file of a folder every silo of a single-machine cluster shares
/// (<c>membership-&lt;cluster id&gt;.table</c>). Every operation reads the whole table under the folder's exclusive
/// lock and, for a change, writes it back atomically before releasing the lock, so each is atomic across the
/// processes; the checks Orleans asks for (row absent for an insert, present for an update, the table version's ETag
/// and the row's ETag unchanged since read) are made under that lock. No silo holds the table: any silo may die and
/// the others keep reading and writing it (development clustering keeps it in the first silo's memory instead).
/// <para>One machine only (a local folder); several machines use a database or Kubernetes provider
/// (docs/cluster.md).</para>
/// </summary>
internal sealed class FileMembershipTable(string directory, IOptions<ClusterOptions> cluster, Serializer<MembershipFile> serializer) : IMembershipTable
{
    private const string LockName = "membership.lock";

    private string TablePath => Path.Combine(directory, $"membership-{cluster.Value.ClusterId}.table");

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        using var gate = await SharedFolder.LockAsync(directory, LockName);
        if (tryInitTableVersion && !File.Exists(TablePath))
        {
            Write(new MembershipFile());
        }
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        using var gate = await SharedFolder.LockAsync(directory, LockName);
        File.Delete(Path.Combine(directory, $"membership-{clusterId}.table"));
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        using var gate = await SharedFolder.LockAsync(directory, LockName);
        var table = Read();
        int removed = table.Rows.RemoveAll(r => r.Entry.Status == SiloStatus.Dead && LastSeen(r.Entry) < beforeDate.UtcDateTime);
        if (removed > 0)
        {
            Write(table);
        }
    }

    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        using var gate = await SharedFolder.LockAsync(directory, LockName);
        var table = Read();
        return table.Rows.Find(r => r.Entry.SiloAddress.Equals(key)) is { } row
            ? new MembershipTableData(Tuple.Create(row.Entry, Tag(row.ETag)), table.TableVersion)
            : new MembershipTableData(table.TableVersion);
    }

    public async Task<MembershipTableData> ReadAll()
    {
        using var gate = await SharedFolder.LockAsync(directory, LockName);
        var table = Read();
        return new MembershipTableData([.. table.Rows.Select(r => Tuple.Create(r.Entry, Tag(r.ETag)))], table.TableVersion);
    }

    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        using var gate = await SharedFolder.LockAsync(directory, LockName);
        var table = Read();
        if (Tag(table.VersionETag) != tableVersion.VersionEtag || table.Rows.Exists(r => r.Entry.SiloAddress.Equals(entry.SiloAddress)))
        {
            return false;
        }
        table.Rows.Add(new MembershipRow { Entry = entry, ETag = 1 });
        Advance(table, tableVersion);
        return true;
    }

    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        using var gate = await SharedFolder.LockAsync(directory, LockName);
        var table = Read();
        var row = table.Rows.Find(r => r.Entry.SiloAddress.Equals(entry.SiloAddress));
        if (row is null || Tag(row.ETag) != etag || Tag(table.VersionETag) != tableVersion.VersionEtag)
        {
            return false;
        }
        row.Entry = entry;
        row.ETag++;
        Advance(table, tableVersion);
        return true;
    }

    /// <summary>Writes only the heartbeat; the row's and the table's ETags stay (Orleans' contract: a heartbeat
    /// does not invalidate what others read).</summary>
    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var gate = await SharedFolder.LockAsync(directory, LockName);
        var table = Read();
        var row = table.Rows.Find(r => r.Entry.SiloAddress.Equals(entry.SiloAddress))
            ?? throw new InvalidOperationException($"silo {entry.SiloAddress} has no row in the membership table.");
        row.Entry.IAmAliveTime = entry.IAmAliveTime;
        Write(table);
    }

    private void Advance(MembershipFile table, TableVersion tableVersion)
    {
        table.Version = tableVersion.Version;
        table.VersionETag++;
        Write(table);
    }

    private MembershipFile Read() => File.Exists(TablePath)
        ? serializer.Deserialize(File.ReadAllBytes(TablePath)) ?? throw new InvalidDataException($"membership table {TablePath} is empty.")
        : new MembershipFile();

    /// <summary>The later of the silo's start and its last heartbeat.</summary>
    private static DateTime LastSeen(MembershipEntry entry) => entry.IAmAliveTime > entry.StartTime ? entry.IAmAliveTime : entry.StartTime;

    private void Write(MembershipFile table) => SharedFolder.WriteAtomically(TablePath, serializer.SerializeToArray(table));

    private static string Tag(long etag) => etag.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The membership table file: the table's version and ETag, and every silo's row.</summary>
[GenerateSerializer]
internal sealed class MembershipFile
{
    [Id(0)]
    public int Version { get; set; }

    /// <summary>Raised by every insert and update (not by heartbeats).</summary>
    [Id(1)]
    public long VersionETag { get; set; }

    [Id(2)]
    public List<MembershipRow> Rows { get; set; } = [];

    public TableVersion TableVersion => new(Version, VersionETag.ToString(CultureInfo.InvariantCulture));
}

/// <summary>One silo's membership entry and its ETag (raised by every update of the row, not by heartbeats).</summary>
[GenerateSerializer]
internal sealed class MembershipRow
{
    [Id(0)]
    public MembershipEntry Entry { get; set; } = null!;

    [Id(1)]
    public long ETag { get; set; }
}
