using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace VectorDb.Server.Hosting;

/// <summary>
/// Closes a connection that sends nothing within a deadline after it is accepted.
/// <para>Why: Kestrel applies no timeout of its own before the HTTP/2 preface other than the keep-alive timeout, so a
/// silent TCP socket held a connection slot (and its buffers) for KeepAliveTimeout + heartbeat (~140 s with Kestrel's
/// defaults). This connection middleware waits for the first bytes, leaves them unconsumed for the HTTP layer (or
/// TLS) to read, and ends the connection when the deadline passes first.</para>
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
