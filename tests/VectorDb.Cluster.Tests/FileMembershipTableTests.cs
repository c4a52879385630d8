using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using VectorDb.Tests.Support;
using VectorDb.Cluster.Membership;

namespace VectorDb.Cluster.Tests;

/// <summary>Orleans' membership-table contract on the file table, with two table instances over one folder (as two
/// silo processes have): inserts and updates are conditional on the table version's ETag and the row's, heartbeats
/// change neither, and what one instance writes the other reads.</summary>
public sealed class FileMembershipTableTests
{
    private static FileMembershipTable Table(string folder) => new(folder, Options.Create(new ClusterOptions { ClusterId = "c", ServiceId = "s" }),
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer<MembershipFile>>());

    private static MembershipEntry Entry(int port, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1),
        Status = status,
        HostName = "localhost",
        SiloName = $"silo{port}",
        StartTime = new DateTime(2026, 12, 5, 0, 0, 0, DateTimeKind.Utc),
        IAmAliveTime = new DateTime(2026, 12, 5, 0, 0, 0, DateTimeKind.Utc),
        SuspectTimes = [],
    };

    [Fact]
    public async Task Changes_are_compare_and_swap_on_the_table_and_row_etags()
    {
        using var folder = new TempDirectory("vectordb-membership");
        var first = Table(folder.Path);
        var second = Table(folder.Path);
        await first.InitializeMembershipTable(tryInitTableVersion: true);
        await second.InitializeMembershipTable(tryInitTableVersion: true); // the second does not reset the first's table

        var empty = await second.ReadAll();
        Assert.Empty(empty.Members);
        var silo1 = Entry(11111, SiloStatus.Joining);
        Assert.True(await first.InsertRow(silo1, empty.Version.Next()));
        Assert.False(await second.InsertRow(Entry(11112, SiloStatus.Joining), empty.Version.Next())); // stale table ETag
        Assert.False(await first.InsertRow(silo1, (await first.ReadAll()).Version.Next())); // the row exists

        var read = await second.ReadAll();
        Assert.Equal(1, read.Version.Version);
        var (row, rowETag) = (read.Members[0].Item1, read.Members[0].Item2);
        Assert.Equal(silo1.SiloAddress, row.SiloAddress);

        // A heartbeat changes neither ETag: what was read stays usable.
        silo1.IAmAliveTime = silo1.IAmAliveTime.AddMinutes(1);
        await first.UpdateIAmAlive(silo1);
        var afterHeartbeat = await second.ReadRow(silo1.SiloAddress);
        Assert.Equal(silo1.IAmAliveTime, afterHeartbeat.Members[0].Item1.IAmAliveTime);
        Assert.Equal((read.Version.VersionEtag, rowETag), (afterHeartbeat.Version.VersionEtag, afterHeartbeat.Members[0].Item2));

        var active = Entry(11111, SiloStatus.Active);
        Assert.True(await second.UpdateRow(active, rowETag, read.Version.Next()));
        Assert.False(await first.UpdateRow(Entry(11111, SiloStatus.Dead), rowETag, read.Version.Next())); // both ETags moved on
        Assert.False(await first.UpdateRow(Entry(11113, SiloStatus.Dead), "1", (await first.ReadAll()).Version.Next())); // no such row
        var final = await first.ReadAll();
        Assert.Equal(SiloStatus.Active, final.Members.Single().Item1.Status);
        Assert.Equal(2, final.Version.Version);

        // Dead rows older than the cut-off are cleaned up; live ones stay.
        var now = await first.ReadAll();
        Assert.True(await first.UpdateRow(Entry(11111, SiloStatus.Dead), now.Members[0].Item2, now.Version.Next()));
        await second.CleanupDefunctSiloEntries(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));
        Assert.Empty((await first.ReadAll()).Members);
    }
}
