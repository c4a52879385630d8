using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace VectorDb.Server.Hosting;

/// <summary>
/// Closes a connection that sends nothing within a deadline after it is accepted.
/// <para>Why: before this, a silent TCP socket held a connection (and its buffers) until Kestrel's keep-alive timeout
/// (issue 12 measured 140-150 s with Kestrel's 130 s default), and the keep-alive timeout must stay long enough for
/// real clients between calls. This connection middleware waits for the first bytes, leaves them unconsumed for the
/// HTTP layer (or TLS) to read, and aborts the connection when the deadline passes first. Runs inside Kestrel's
/// connection cap, so a connection refused over the cap never gets here.</para>
/// </summary>
public static class FirstBytesTimeout
{
    public static void Use(ListenOptions listen, TimeSpan timeout) =>
        listen.Use(next => connection => WaitThenServeAsync(connection, next, timeout));

    private static async Task WaitThenServeAsync(ConnectionContext connection, ConnectionDelegate next, TimeSpan timeout)
    {
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            deadline.CancelAfter(timeout);
            PipeReader input = connection.Transport.Input;
            try
            {
                var first = await input.ReadAsync(deadline.Token);
                // Examine nothing, consume nothing: the next reader gets the same bytes at once.
                input.AdvanceTo(first.Buffer.Start);
                if (first.IsCompleted && first.Buffer.IsEmpty)
                {
                    return; // the client closed without sending anything
                }
            }
            catch (OperationCanceledException)
            {
                connection.Abort(new ConnectionAbortedException($"no bytes received within {timeout.TotalSeconds:0.#} s of connecting"));
                return;
            }
        }
        await next(connection);
    }
}
