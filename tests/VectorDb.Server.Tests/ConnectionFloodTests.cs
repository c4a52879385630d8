using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;
using VectorDb.Client;
using Xunit.Abstractions;

namespace VectorDb.Server.Tests;

/// <summary>
/// Issue 12, item 2: thousands of TCP connections that send nothing (and some that send the HTTP/2 preface, then
/// nothing) against the server as a child process. The server must stay up, refuse connections beyond its cap, evict
/// or close the silent ones and close the idle ones within the configured times (checked against a generous deadline,
/// never a speed), keep answering a client connected before the flood (its latency percentiles go to the test output)
/// and let new clients in during the flood.
/// </summary>
public sealed class ConnectionFloodTests(ITestOutputHelper output)
{
    private const int MaxConnections = 300;
    private const int MaxHandshakes = 100;
    private const int HandshakeTimeoutSeconds = 3;
    private const int KeepAliveTimeoutSeconds = 6;
    private const int IdleAfterPreface = 100;
    private const int Silent = 3000;

    /// <summary>Added to the configured times before a socket still open counts as a failure (a noisy 2-core machine).</summary>
    private static readonly TimeSpan s_slack = TimeSpan.FromSeconds(20);

    /// <summary>The client connection preface (RFC 9113 §3.4) followed by an empty SETTINGS frame.</summary>
    private static readonly byte[] s_preface = [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, 0, 0, 0, 4, 0, 0, 0, 0, 0];

    [Fact]
    public async Task SilentAndIdleSockets_AreRefusedOrClosed_ServerStaysUpAndAnswers()
    {
        using var data = new TempDirectory("vectordb-flood");
        using var server = await ServerChild.StartAsync(data.Path, extraArgs:
        [
            $"--VectorDb:Connections:MaxConnections={MaxConnections}",
            $"--VectorDb:Connections:MaxHandshakes={MaxHandshakes}",
            $"--VectorDb:Connections:HandshakeTimeoutSeconds={HandshakeTimeoutSeconds}",
            $"--VectorDb:Connections:KeepAliveTimeoutSeconds={KeepAliveTimeoutSeconds}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        using var client = new VectorDbClient(server.Address);
        await client.CreateCollectionAsync("f", 8, Distance.Euclid);
        await client.UpsertAsync("f", Enumerable.Range(0, 200).Select(i => VectorDbClient.Point((ulong)i, [.. Enumerable.Range(0, 8).Select(j => (float)(i * j % 17))])));

        // The normal client holds its (busy) connection from before the flood and keeps searching through it.
        var latencies = new List<double>();
        var errors = new List<string>();
        using var stopLoad = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    var hits = await client.SearchAsync("f", new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 5);
                    Assert.Equal(5, hits.Count);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch (RpcException e)
                {
                    errors.Add(e.Status.ToString());
                }
            }
        });

        // New clients keep trying to connect and call during the flood (a fresh connection each time).
        int freshOk = 0, freshFailed = 0;
        using var stopFresh = new CancellationTokenSource();
        var newcomers = Task.Run(async () =>
        {
            while (!stopFresh.IsCancellationRequested)
            {
                using var newcomer = new VectorDbClient(server.Address);
                try
                {
                    await newcomer.Points.CountAsync(new CountPointsRequest { CollectionName = "f" }, deadline: DateTime.UtcNow.AddSeconds(5));
                    freshOk++;
                }
                catch (RpcException)
                {
                    freshFailed++;
                }
                await Task.Delay(100);
            }
        });

        var sockets = new List<(Socket Socket, long OpenedAt)>();
        int connectFailures = 0;
        try
        {
            for (int i = 0; i < IdleAfterPreface + Silent; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), connectTimeout.Token);
                    if (i < IdleAfterPreface)
                    {
                        await socket.SendAsync(s_preface);
                    }
                    sockets.Add((socket, Stopwatch.GetTimestamp()));
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    // Refused at connect, or the test process ran out of descriptors: use what could be opened.
                    socket.Dispose();
                    connectFailures++;
                    if (e is SocketException { SocketErrorCode: SocketError.TooManyOpenSockets })
                    {
                        break;
                    }
                }
            }
            Assert.True(sockets.Count > MaxConnections, $"only {sockets.Count} sockets could be opened; the cap of {MaxConnections} was not exercised");

            var deadline = TimeSpan.FromSeconds(KeepAliveTimeoutSeconds) + s_slack;
            var closedAfter = await Task.WhenAll(sockets.Select(s => WaitClosedAsync(s.Socket, s.OpenedAt, deadline)));
            await stopLoad.CancelAsync();
            await load;
            await stopFresh.CancelAsync();
            await newcomers;

            int stillOpen = closedAfter.Count(t => t is null);
            int atOnce = closedAfter.Count(t => t < TimeSpan.FromSeconds(1));
            var idle = closedAfter.Take(IdleAfterPreface).Where(t => t is not null).Select(t => t!.Value.TotalSeconds).DefaultIfEmpty().Max();
            double[] sorted = [.. latencies.Order()];
            output.WriteLine($"sockets opened {sockets.Count} ({IdleAfterPreface} idle after the HTTP/2 preface, the rest silent), connect failures {connectFailures}; " +
                $"closed within 1 s (refused over the cap of {MaxConnections} or evicted beyond {MaxHandshakes} waiting) {atOnce}, closed later by a timeout {sockets.Count - atOnce - stillOpen}, still open at the deadline {stillOpen}; " +
                $"slowest idle-after-preface close {idle:F1} s (keep-alive {KeepAliveTimeoutSeconds} s)");
            output.WriteLine($"normal client during the flood: {sorted.Length} searches, {errors.Count} errors, latency p50 {Percentile(sorted, 0.50):F1} ms, " +
                $"p99 {Percentile(sorted, 0.99):F1} ms, max {sorted.LastOrDefault():F1} ms; new clients during the flood: {freshOk} answered, {freshFailed} failed");

            Assert.Equal(0, stillOpen);
            Assert.Empty(errors);
            Assert.NotEmpty(latencies);
            Assert.True(freshOk > 0, $"no new client got an answer during the flood ({freshFailed} failed)");
            Assert.False(server.Process.HasExited, "the server exited during the flood");
            using var fresh = new VectorDbClient(server.Address);
            Assert.Equal(200UL, await fresh.CountAsync("f"));
        }
        finally
        {
            await stopLoad.CancelAsync();
            await stopFresh.CancelAsync();
            foreach (var (socket, _) in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Time from opening until the server closed the socket (FIN or reset), or null if it is still open
    /// <paramref name="deadline"/> after opening. Bytes the server sends (HTTP/2 SETTINGS, GOAWAY) are skipped.</summary>
    private static async Task<TimeSpan?> WaitClosedAsync(Socket socket, long openedAt, TimeSpan deadline)
    {
        var remaining = deadline - Stopwatch.GetElapsedTime(openedAt);
        using var timeout = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        var buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // reset by the server: closed
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        return Stopwatch.GetElapsedTime(openedAt);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
