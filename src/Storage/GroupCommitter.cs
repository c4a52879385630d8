namespace VectorDb.Storage;

/// <summary>
/// Group commit: one background loop runs commit rounds; every durable writer that appended before a round starts
/// is acknowledged by that round, so concurrent writers share one flush and one fsync. Buffered writers only mark
/// the collection dirty; the loop commits them at least every <c>interval</c>.
/// A failed round faults the committer: that round's waiters and every later caller get the exception.
/// </summary>
internal sealed class GroupCommitter : IAsyncDisposable
{
    private readonly Func<ValueTask> _commitRound;
    private readonly Func<Exception, Exception> _describeFault;
    private readonly TimeSpan _interval;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Task _loop;
    private TaskCompletionSource? _nextRound;
    private volatile bool _dirty;
    private Exception? _fault;

    /// <param name="commitRound">One commit round.</param>
    /// <param name="interval">Longest time a buffered write waits for its round.</param>
    /// <param name="describeFault">Turns the exception of a failed round into the one every caller gets from then on.</param>
    public GroupCommitter(Func<ValueTask> commitRound, TimeSpan interval, Func<Exception, Exception> describeFault)
    {
        _commitRound = commitRound;
        _describeFault = describeFault;
        _interval = interval;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The exception that stopped the committer, if any (<see cref="ObjectDisposedException"/> after a
    /// clean dispose).</summary>
    public Exception? Fault => _fault;

    /// <summary>The failure of a commit round, if one failed (null while healthy and after a clean dispose).</summary>
    public Exception? Failure => Volatile.Read(ref _fault) is { } fault and not ObjectDisposedException ? fault : null;

    /// <summary>Completes when a commit round that started after this call has made everything durable.</summary>
    public Task WaitForDurableAsync()
    {
        lock (_lock)
        {
            if (_fault is not null)
                return Task.FromException(_fault);
            if (_nextRound is null)
            {
                _nextRound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _wake.Release();
            }
            return _nextRound.Task;
        }
    }

    /// <summary>Notes a buffered write; it becomes durable within one interval.</summary>
    public void MarkDirty() => _dirty = true;

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync()
    {
        bool stopping = false;
        while (true)
        {
            try
            {
                await _wake.WaitAsync(_interval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                stopping = true;
            }
            TaskCompletionSource? round;
            lock (_lock)
            {
                round = _nextRound;
                _nextRound = null;
            }
            if (round is not null || _dirty || stopping)
            {
                _dirty = false;
                try
                {
                    await _commitRound().ConfigureAwait(false);
                    round?.TrySetResult();
                }
                catch (Exception e)
                {
                    lock (_lock)
                    {
                        _fault = _describeFault(e);
                        e = _fault;
                        round?.TrySetException(e);
                        _nextRound?.TrySetException(e);
                        _nextRound = null;
                    }
                    return;
                }
            }
            if (stopping)
            {
                lock (_lock)
                {
                    _fault ??= new ObjectDisposedException("The collection is closed.");
                    _nextRound?.TrySetException(_fault);
                    _nextRound = null;
                }
                return;
            }
        }
    }
}
