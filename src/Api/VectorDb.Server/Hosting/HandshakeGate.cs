using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace VectorDb.Server.Hosting;

/// <summary>
/// Connection middleware for the time between accept and a connection's first bytes (HTTP/2 preface, TLS
/// ClientHello): a connection that sends nothing within the handshake timeout is closed, and at most
/// <see cref="ConnectionLimits.MaxHandshakes"/> connections may be waiting at once per endpoint: one more evicts the
/// oldest waiting one.
/// <para>Why: before this, a silent TCP socket held a connection slot (and its buffers) until Kestrel's keep-alive
/// timeout (issue 12 measured 140-150 s with Kestrel's 130 s default), and silent sockets could fill the connection cap
/// so that no new client got in. Eviction keeps silent sockets to a bounded share of the cap: a real client sends its
/// preface within milliseconds of connecting and leaves the waiting set before a flood can push it out.</para>
/// <para>The first bytes are examined, not consumed: the HTTP layer (or TLS) reads them next. Runs inside Kestrel's
/// connection cap, so a connection refused over the cap never gets here.</para>
/// </summary>
public sealed class HandshakeGate(int maxWaiting, TimeSpan timeout)
{
    /// <summary>Connections waiting for their first bytes, oldest first. Guarded by itself.</summary>
    private readonly LinkedList<ConnectionContext> _waiting = new();

    /// <summary>Adds a gate (its own waiting set) in front of <paramref name="listen"/>'s HTTP layer.</summary>
    public static void Use(ListenOptions listen, int maxWaiting, TimeSpan timeout)
    {
        var gate = new HandshakeGate(maxWaiting, timeout);
        listen.Use(next => connection => gate.OnConnectionAsync(connection, next));
    }

    private async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        ConnectionContext? evicted = null;
        LinkedListNode<ConnectionContext> node;
        lock (_waiting)
        {
            node = _waiting.AddLast(connection);
            if (_waiting.Count > maxWaiting)
            {
                evicted = _waiting.First!.Value;
                _waiting.RemoveFirst();
            }
        }
        // Aborting fires the evicted connection's ConnectionClosed token, which ends its wait below.
        evicted?.Abort(new ConnectionAbortedException($"evicted: more than {maxWaiting} connections were waiting for their first bytes"));
        bool spoke;
        try
        {
            spoke = await FirstBytesAsync(connection);
        }
        finally
        {
            lock (_waiting)
            {
                if (node.List is not null)
                {
                    _waiting.Remove(node);
                }
            }
        }
        if (spoke)
        {
            await next(connection);
        }
    }

    /// <summary>True once bytes arrived; false (connection aborted or closed) on timeout, eviction or a client close.</summary>
    private async Task<bool> FirstBytesAsync(ConnectionContext connection)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        deadline.CancelAfter(timeout);
        PipeReader input = connection.Transport.Input;
        try
        {
            var first = await input.ReadAsync(deadline.Token);
            // Examine nothing, consume nothing: the next reader gets the same bytes at once.
            input.AdvanceTo(first.Buffer.Start);
            return !first.Buffer.IsEmpty;
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionAbortedException or IOException)
        {
            connection.Abort(new ConnectionAbortedException($"no bytes received within {timeout.TotalSeconds:0.#} s of connecting"));
            return false;
        }
    }
}
