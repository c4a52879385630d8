
namespace VectorDb;

/// <summary>One page of a scroll: the points, in id order, and the id the next page starts at (null on the last
/// page).</summary>
public sealed record ScrollPage(IReadOnlyList<RetrievedPoint> Points, PointId? NextPageOffset);

public sealed partial class VectorCollection
{
    /// <summary>
    /// A page of the live points passing <paramref name="filter"/>, in <see cref="PointId"/> order, from
    /// <paramref name="offset"/> on (inclusive; null: from the first), at most <paramref name="limit"/> of them. The
    /// id after the page is returned as the next page's offset, so following the offsets visits every point that
    /// stays live exactly once. Shared by every API's scroll (REST, Qdrant gRPC, vectordb.v1).
    /// </summary>
    /// <exception cref="LimitExceededException"><paramref name="limit"/> is not 1..<see cref="EngineLimits.MaxIdsPerCall"/>.</exception>
    public async Task<ScrollPage> ScrollAsync(Filter? filter, PointId? offset, long limit, bool withPayload, bool withVector,
        CancellationToken cancellationToken = default)
    {
        if (limit < 1 || limit > Limits.MaxIdsPerCall)
        {
            throw new LimitExceededException($"limit {limit} must be 1..{Limits.MaxIdsPerCall}.", nameof(limit));
        }
        // One id past the page names the next page's first point.
        var ids = ListIds(filter, 0, (int)limit + 1, offset);
        var page = ids.Take((int)limit).ToList();
        var points = await GetExistingAsync(page, withPayload, withVector, cancellationToken).ConfigureAwait(false);
        return new ScrollPage(points, ids.Count > limit ? ids[(int)limit] : null);
    }

    /// <summary>The points among <paramref name="ids"/> that exist, in the order asked, each once (Qdrant's retrieve
    /// skips missing ids; a point deleted meanwhile is skipped too). An empty list gives an empty answer.</summary>
    public async Task<IReadOnlyList<RetrievedPoint>> GetExistingAsync(IReadOnlyList<PointId> ids, bool withPayload, bool withVector,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var wanted = ids.Distinct().ToList();
        while (wanted.Count > 0)
        {
            try
            {
                return await GetAsync(wanted, withPayload, withVector, cancellationToken).ConfigureAwait(false);
            }
            catch (PointNotFoundException missing)
            {
                var gone = missing.Missing.ToHashSet();
                wanted = [.. wanted.Where(id => !gone.Contains(id))];
            }
        }
        return [];
    }
}
