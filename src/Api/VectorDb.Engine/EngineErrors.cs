using VectorDb.Storage;

namespace VectorDb;

/// <summary>What a failure of an engine call means to its caller, whatever layer threw it. Hosts (the server's gRPC
/// and REST error tables, its start-up exit codes) switch on this code instead of naming the storage layer's exception
/// types, so that they reference the engine only (docs/architecture.md, "Layers").</summary>
public enum EngineErrorCode
{
    /// <summary>None of the codes below: the host maps the exception by its own type (argument, not found, ...).</summary>
    Other,

    /// <summary>Stored bytes failed their checksum or the collection could not be opened: data is not served.</summary>
    DataDamaged,

    /// <summary>The disk (or the configured disk budget) has no room for the write; nothing was acknowledged.</summary>
    DiskFull,

    /// <summary>Another process holds the collection's directory lock (a second server on the same data directory).</summary>
    DirectoryInUse,
}

/// <summary>Classifies exceptions thrown by engine calls into <see cref="EngineErrorCode"/>s.</summary>
public static class EngineErrors
{
    /// <summary>The code of <paramref name="error"/>; <see cref="EngineErrorCode.Other"/> for anything the engine does
    /// not classify (its own argument, not-found and state exceptions keep their .NET base types).</summary>
    public static EngineErrorCode CodeOf(Exception error) => error switch
    {
        StorageCorruptionException or CollectionDamagedException => EngineErrorCode.DataDamaged,
        DiskFullException => EngineErrorCode.DiskFull,
        CollectionLockedException => EngineErrorCode.DirectoryInUse,
        _ => EngineErrorCode.Other,
    };
}
