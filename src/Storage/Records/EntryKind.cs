namespace VectorDb.Storage.Records;

/// <summary>First byte of every stored entry. WARNING: baked into every stored record; never renumber.</summary>
internal enum EntryKind : byte
{
    /// <summary>Codes log: point inserted or overwritten.</summary>
    Upsert = 1,

    /// <summary>Codes log: point deleted (tombstone).</summary>
    Delete = 2,

    /// <summary>Blob log: codes, original vector, payload and key of one point version.</summary>
    Blob = 3,
}

/// <summary>Outcome of parsing one stored entry.</summary>
internal enum ParseStatus
{
    Ok,
    TooShort,
    BadChecksum,
    UnknownKind,
    UnknownLayoutVersion,
    BadLengths,
}
