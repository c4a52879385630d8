namespace VectorDb.Storage;

/// <summary>
/// One point to upsert. <paramref name="Codes"/> must be exactly <see cref="CollectionManifest.CodeBytesPerVector"/>
/// bytes, <paramref name="Original"/> exactly <see cref="CollectionManifest.OriginalBytesPerVector"/> (empty when the
/// collection keeps no originals), <paramref name="Payload"/> at most <see cref="CollectionManifest.MaxPayloadBytes"/>.
/// The buffers are copied before the call returns.
/// </summary>
/// <param name="Id">Point id.</param>
/// <param name="Codes">Codec output (codes + per-vector metadata), opaque here.</param>
/// <param name="Original">Original vector bytes in the collection's <see cref="OriginalsFormat"/>.</param>
/// <param name="Payload">Opaque payload (JSON bytes), possibly empty.</param>
/// <param name="Key">Optional string/UUID id mapped to <paramref name="Id"/>; unique among live points.</param>
public readonly record struct PointWrite(
    ulong Id,
    ReadOnlyMemory<byte> Codes,
    ReadOnlyMemory<byte> Original = default,
    ReadOnlyMemory<byte> Payload = default,
    string? Key = null);

/// <summary>A stored point as read back.</summary>
public sealed record StoredPoint(ulong Id, string? Key, byte[] Codes, byte[] Original, byte[] Payload);

/// <summary>Receives one live point during <see cref="StoredCollection.ForEachLiveAsync"/>; the span is valid only
/// during the call.</summary>
public delegate void LivePointVisitor(ulong id, string? key, ReadOnlySpan<byte> codes);

/// <summary>Sizes and counts of a collection.</summary>
/// <param name="LivePoints">Points that a get would return.</param>
/// <param name="BytesOnDisk">Bytes of all log segment files (manifest and commit slots excluded).</param>
/// <param name="CodesLogBytes">Bytes between the begin and the tail of the codes log.</param>
/// <param name="CodesLogLiveBytes">Bytes of codes-log entries that are still current.</param>
/// <param name="BlobLogBytes">Bytes between the begin and the tail of the blob log.</param>
/// <param name="BlobLogLiveBytes">Bytes of blob-log entries that are still current.</param>
public readonly record struct CollectionStatistics(
    long LivePoints, long BytesOnDisk, long CodesLogBytes, long CodesLogLiveBytes, long BlobLogBytes, long BlobLogLiveBytes);
