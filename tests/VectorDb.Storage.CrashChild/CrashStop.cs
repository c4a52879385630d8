namespace VectorDb.Storage.CrashChild;

/// <summary>
/// The child's side of the crash tests' exact kill: installed as <c>StorageOptions.CrashPointForTests</c>, it lets
/// every visit of the store's crash points pass until it is armed, then stops the thread at the
/// <paramref name="hit"/>-th visit of <paramref name="point"/>: it prints <c>K point</c> (flushed) and parks the thread
/// there for good. The test kills the process when it reads that line, so the process dies with this thread inside
/// the operation (other threads run on until the signal lands, as they would in a real crash).
/// </summary>
public sealed class CrashStop(string point, int hit, Action<string> emit)
{
    private int _visits;
    private volatile bool _armed;

    /// <summary>From now on visits of the point count towards <c>hit</c>.</summary>
    public void Arm() => _armed = true;

    public void Visit(string name)
    {
        if (!_armed || name != point || Interlocked.Increment(ref _visits) != hit)
            return;
        emit($"K {name}\n");
        Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>Options for the child: <see cref="CrashProtocol.Options"/> with this stop as the crash hook.</summary>
    public StorageOptions Options => CrashProtocol.Options with { CrashPointForTests = Visit };
}
