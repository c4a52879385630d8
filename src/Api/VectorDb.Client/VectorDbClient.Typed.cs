using System.Text.Json.Nodes;
using VectorDb.Api.V1;

namespace VectorDb.Client;

/// <summary>One search hit with .NET types: <see cref="Id"/> prints as 1 or a UUID, <see cref="Payload"/> is JSON.</summary>
/// <param name="Id">The point's id.</param>
/// <param name="Score">Inner product or cosine (larger is better) or squared L2 distance (smaller is better).</param>
/// <param name="Payload">The payload when asked for and present, else null.</param>
/// <param name="Vector">The stored vector when asked for, else null.</param>
public sealed record Hit(PointKey Id, float Score, JsonObject? Payload, float[]? Vector);

/// <summary>One stored point with .NET types.</summary>
/// <param name="Id">The point's id.</param>
/// <param name="Payload">The payload when asked for and present, else null.</param>
/// <param name="Vector">The stored vector when asked for, else null.</param>
public sealed record PointRecord(PointKey Id, JsonObject? Payload, float[]? Vector);

// Typed forms of the common calls: ids as PointKey, payloads as JsonObject. The methods returning proto messages
// (SearchAsync, GetAsync) and the generated stubs (Points, Collections) stay for everything else.
public sealed partial class VectorDbClient
{
    /// <summary>Creates a collection with the server's defaults for everything but the metric (eden-unbiased codes
    /// at the server's default bits, float32 originals, IVF). The proto-typed overload sets the rest.</summary>
    /// <param name="name">The collection's name.</param>
    /// <param name="dimension">Coordinates per vector.</param>
    /// <param name="metric">How similarity is measured.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task CreateCollectionAsync(string name, int dimension, Metric metric, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        return CreateCollectionAsync(name, (ulong)dimension, metric.ToProto(), cancellationToken: cancellationToken);
    }

    /// <summary>A point with a typed id, a vector and a JSON payload.</summary>
    /// <param name="id">A number or a UUID.</param>
    /// <param name="vector">The point's vector.</param>
    /// <param name="payload">Its payload (numbers keep their kind, see <see cref="PayloadJson"/>).</param>
    public static PointStruct Point(PointKey id, ReadOnlySpan<float> vector, JsonObject payload) =>
        Point(id.ToProto(), vector, PayloadJson.FromJson(payload));

    /// <summary>The best <paramref name="limit"/> points for <paramref name="vector"/>, best first, as typed hits
    /// (payloads included unless <paramref name="withPayload"/> is false).</summary>
    /// <param name="name">The collection.</param>
    /// <param name="vector">The query.</param>
    /// <param name="limit">How many hits at most.</param>
    /// <param name="filter">Only points matching it.</param>
    /// <param name="withPayload">Return payloads.</param>
    /// <param name="parameters">Re-rank, oversampling, nprobe, exact.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<Hit>> QueryAsync(string name, ReadOnlyMemory<float> vector, ulong limit, Filter? filter = null,
        bool withPayload = true, SearchParams? parameters = null, CancellationToken cancellationToken = default) =>
        [.. (await SearchAsync(name, vector, limit, filter, withPayload, parameters, cancellationToken).ConfigureAwait(false)).Select(ToHit)];

    /// <summary>The points with these ids that exist, as typed records.</summary>
    /// <param name="name">The collection.</param>
    /// <param name="ids">Numbers and/or UUIDs.</param>
    /// <param name="withPayload">Return payloads.</param>
    /// <param name="withVectors">Return vectors.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<PointRecord>> RetrieveAsync(string name, IEnumerable<PointKey> ids, bool withPayload = true,
        bool withVectors = false, CancellationToken cancellationToken = default) =>
        [.. (await GetAsync(name, ids.Select(id => id.ToProto()), withPayload, withVectors, cancellationToken).ConfigureAwait(false))
            .Select(p => new PointRecord(PointKey.FromProto(p.Id), PayloadJson.ToJson(p.Payload), p.Vector?.Data.ToArray()))];

    /// <summary>A raw hit as a typed one.</summary>
    /// <param name="hit">What the Search RPC returned.</param>
    public static Hit ToHit(ScoredPoint hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        return new Hit(PointKey.FromProto(hit.Id), hit.Score, PayloadJson.ToJson(hit.Payload), hit.Vector?.Data.ToArray());
    }
}
