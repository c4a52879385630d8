using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;
using VectorDb.Client;

namespace VectorDb.Server.Tests;

/// <summary>The server as a child process, killed with SIGKILL in the middle of an ingest, then restarted on the same
/// data directory: every write acknowledged with wait = true must be there, with its exact vector.</summary>
public sealed class CrashTests
{
    private const int Rounds = 2;
    private const int BatchSize = 200;

    [Fact]
    public async Task SigkillMidIngest_Restart_EveryAcknowledgedWriteIsPresent()
    {
        using var data = new TempDirectory("vectordb-crash");
        var glove = GloveSlice.Base();
        var acknowledged = new List<ulong>();
        ulong next = 0;
        for (int round = 0; round < Rounds; round++)
        {
            using var child = await StartServerAsync(data.Path);
            using var client = new VectorDbClient(child.Address);
            if (round == 0)
            {
                await client.CreateCollectionAsync("crash", (ulong)glove.Dimension, Distance.Cosine);
            }
            else
            {
                await VerifyAsync(client, glove, acknowledged);
            }
            // Ingest until killed: the killer fires after a few acknowledged batches, while later ones are in flight.
            int batchesBeforeKill = 5 + 3 * round;
            int killAt;
            lock (acknowledged)
            {
                killAt = acknowledged.Count + batchesBeforeKill * BatchSize;
            }
            var ingest = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var ids = Enumerable.Range(0, BatchSize).Select(i => next + (ulong)i).ToArray();
                        await client.UpsertAsync("crash", ids.Select(id => VectorDbClient.Point(id, glove.Row((int)(id % (ulong)glove.Count)))), wait: true);
                        lock (acknowledged)
                        {
                            acknowledged.AddRange(ids);
                        }
                        next += BatchSize;
                    }
                }
                catch (RpcException)
                {
                    // the server died under us: expected
                }
            });
            while (true)
            {
                lock (acknowledged)
                {
                    if (acknowledged.Count >= killAt)
                    {
                        break;
                    }
                }
                Assert.False(ingest.IsCompleted, "the ingest stopped before the kill");
                await Task.Delay(5);
            }
            child.Process.Kill(entireProcessTree: true); // SIGKILL: no shutdown code runs
            await child.Process.WaitForExitAsync();
            await ingest.WaitAsync(TimeSpan.FromSeconds(60));
            next += 10 * BatchSize; // skip ids whose fate is unknown (in flight at the kill)
        }
        using var last = await StartServerAsync(data.Path);
        using var verifier = new VectorDbClient(last.Address);
        await VerifyAsync(verifier, glove, acknowledged);
    }

    private static async Task VerifyAsync(VectorDbClient client, VectorDb.Datasets.VectorSet glove, List<ulong> acknowledged)
    {
        ulong[] ids;
        lock (acknowledged)
        {
            ids = [.. acknowledged];
        }
        Assert.True((ulong)ids.Length <= await client.CountAsync("crash"));
        foreach (var chunk in ids.Chunk(5000))
        {
            var points = await client.GetAsync("crash", chunk, withPayload: false, withVectors: true); // NotFound fails the test
            foreach (var point in points)
            {
                Assert.Equal(glove.Row((int)(point.Id.Num % (ulong)glove.Count)).ToArray(), point.Vector.Data.ToArray());
            }
        }
    }

    /// <summary>Starts the built server on a free port (no REST listener) and waits until it answers.</summary>
    private static Task<ServerChild> StartServerAsync(string dataDirectory) =>
        ServerChild.StartAsync(dataDirectory, extraArgs: ["--Logging:LogLevel:Default=Warning"]);
}
