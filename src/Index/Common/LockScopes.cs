namespace VectorDb.Index.Common;

/// <summary>
/// Holds of a <see cref="ReaderWriterLockSlim"/> that release themselves: <c>using var held = gate.Read();</c> is the
/// enter, try and finally-exit of a read hold in one line. Ref structs, so a hold allocates nothing and cannot outlive
/// the method that took it.
/// </summary>
internal static class LockScopes
{
    /// <summary>Enters the read lock; disposing the result exits it.</summary>
    public static ReadHold Read(this ReaderWriterLockSlim gate)
    {
        gate.EnterReadLock();
        return new ReadHold(gate);
    }

    /// <summary>Enters the write lock; disposing the result exits it.</summary>
    public static WriteHold Write(this ReaderWriterLockSlim gate)
    {
        gate.EnterWriteLock();
        return new WriteHold(gate);
    }

    /// <summary>A read hold (<see cref="Read"/>).</summary>
    internal readonly ref struct ReadHold(ReaderWriterLockSlim gate)
    {
        public void Dispose() => gate.ExitReadLock();
    }

    /// <summary>A write hold (<see cref="Write"/>).</summary>
    internal readonly ref struct WriteHold(ReaderWriterLockSlim gate)
    {
        public void Dispose() => gate.ExitWriteLock();
    }
}
