using System.Diagnostics;
using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Client;

namespace VectorDb.Server.Tests;

// Imported inside the namespace so that its types win over the engine's same-named ones in VectorDb (Filter, PointId).
using VectorDb.Api.V1;

/// <summary>
/// The real server process on a real full disk: an 8 MiB tmpfs (needs root, as CI has). Writes, buffered ones
/// included, fail with RESOURCE_EXHAUSTED and a clear message; nothing of a refused batch is visible (count, get,
/// exact search by id); once space is freed the same server accepts writes again; SIGTERM then logs an honest
/// final checkpoint, and after a restart every acknowledged write (wait = true and wait = false) is there with its
/// exact vector and nothing else is.
/// </summary>
public sealed class DiskFullTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Dimension = 64;
    private const int BatchSize = 100;
    private const int Rounds = 3; // fill, refuse, free 1 MiB: three times on one tmpfs

    [TmpfsFact]
    public async Task FullTmpfs_RefusesWithResourceExhausted_ShowsNothingRefused_RecoversWithoutRestart_LosesNoAcknowledgedWrite()
    {
        using var mount = Tmpfs.Mount(sizeMiB: 8);
        string data = Path.Combine(mount.Path, "data");
        // Filler files stand for "other data on the disk"; deleting one frees space while the server runs.
        var fillers = Enumerable.Range(0, Rounds).Select(i => Path.Combine(mount.Path, $"filler-{i}")).ToArray();
        foreach (var filler in fillers)
            await File.WriteAllBytesAsync(filler, new byte[1 << 20]);

        var acknowledged = new Dictionary<ulong, float[]>();
        int refusals = 0;
        ulong next = 0;
        using (var server = await ServerChild.StartAsync(data))
        {
            using var client = new VectorDbClient(server.Address);
            await client.CreateCollectionAsync("full", Dimension, Distance.Cosine);
            for (int round = 0; round <= Rounds; round++)
            {
                while (true)
                {
                    var batch = Batch(next, round);
                    next += BatchSize;
                    bool wait = next / BatchSize % 2 == 0; // alternate durable and buffered upserts
                    try
                    {
                        await client.UpsertAsync("full", batch.Select(p => VectorDbClient.Point(p.Key, p.Value)), wait);
                    }
                    catch (RpcException e)
                    {
                        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
                        Assert.Contains("No space left", e.Status.Detail, StringComparison.Ordinal);
                        refusals++;
                        await AssertNothingVisibleAsync(client, batch.Keys, acknowledged.Count);
                        break;
                    }
                    foreach (var (id, vector) in batch)
                        acknowledged[id] = vector;
                }
                if (round < Rounds)
                    File.Delete(fillers[round]); // space returns; the same server must take writes again
            }
            Assert.Equal(Rounds + 1, refusals);
            await server.StopAsync();
            Assert.Contains("Final checkpoint done", server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("FAILED", server.Output, StringComparison.Ordinal);
        }
        Assert.True(acknowledged.Count > Rounds * BatchSize, $"only {acknowledged.Count} points fit");

        using (var restarted = await ServerChild.StartAsync(data))
        {
            using var client = new VectorDbClient(restarted.Address);
            Assert.Equal((ulong)acknowledged.Count, await client.CountAsync("full")); // nothing refused came back
            int lost = 0;
            foreach (var chunk in acknowledged.Keys.Chunk(500))
            {
                var points = await client.GetAsync("full", chunk, withPayload: false, withVectors: true);
                foreach (var point in points)
                {
                    if (!acknowledged[point.Id.Num].AsSpan().SequenceEqual(point.Vector.Data.ToArray()))
                        lost++;
                }
                lost += chunk.Length - points.Count;
            }
            Assert.Equal(0, lost);
            output.WriteLine($"{refusals} disk-full refusals ({Rounds} freed in between), {acknowledged.Count} acknowledged points, {lost} lost after restart");
        }
    }

    /// <summary>A refused batch: count unchanged, none of its ids found by get or by an exact search restricted to them.</summary>
    private static async Task AssertNothingVisibleAsync(VectorDbClient client, IEnumerable<ulong> refused, int acknowledged)
    {
        Assert.Equal((ulong)acknowledged, await client.CountAsync("full"));
        var ids = refused.ToArray();
        var get = await Assert.ThrowsAsync<RpcException>(() => client.GetAsync("full", ids[..3]));
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        var filter = new Filter();
        var hasId = new HasIdCondition();
        hasId.HasId.AddRange(ids.Select(id => new PointId { Num = id }));
        filter.Must.Add(new Condition { HasId = hasId });
        var hits = await client.SearchAsync("full", Vector(ids[0], 0), 10, filter, parameters: new SearchParams { Exact = true });
        Assert.Empty(hits);
    }

    private static Dictionary<ulong, float[]> Batch(ulong first, int round) =>
        Enumerable.Range(0, BatchSize).ToDictionary(i => first + (ulong)i, i => Vector(first + (ulong)i, round));

    private static float[] Vector(ulong id, int round)
    {
        var rng = new TestRandom(id * 0x9E3779B97F4A7C15UL + (ulong)round);
        return [.. Enumerable.Range(0, Dimension).Select(_ => (float)rng.NextGaussian())];
    }
}

/// <summary>A tmpfs of a given size mounted on a fresh temp directory; unmounted and removed on dispose.</summary>
internal sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    public static Tmpfs Mount(int sizeMiB)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"vectordb-tmpfs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        var (exit, output) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeMiB}m", "tmpfs", path);
        if (exit != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mount -t tmpfs failed ({exit}): {output}");
        }
        return new Tmpfs(path);
    }

    /// <summary>True when this process may mount a tmpfs (root with CAP_SYS_ADMIN, as in CI).</summary>
    public static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            using var probe = Mount(sizeMiB: 1);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public void Dispose()
    {
        Run("umount", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static (int Exit, string Output) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}

/// <summary>Runs only where a tmpfs can be mounted (root, as CI runs); otherwise skipped with that reason, which the
/// test runner counts and prints.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !Tmpfs.Available.Value)
            Skip = "needs tmpfs: cannot mount one here (needs Linux and root/CAP_SYS_ADMIN, as CI has), so the full-disk process test did not run.";
    }
}
