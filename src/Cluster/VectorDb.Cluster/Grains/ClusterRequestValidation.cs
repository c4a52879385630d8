using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VectorDb.Cluster.Contracts;
using LimitExceededException = VectorDb.LimitExceededException;

namespace VectorDb.Cluster.Grains;

/// <summary>
/// Checks a whole clustered request at the coordinator before any shard sees it, so that a bad point refuses the
/// call and changes nothing (a shard refusing its part after others applied theirs would half-apply the batch).
/// The checks are the engine's own, with the engine's default limits, which every shard is created with.
/// </summary>
internal static class ClusterRequestValidation
{
    private static readonly EngineLimits Limits = new();

    /// <exception cref="ArgumentException">The first invalid point, by batch index.</exception>
    public static void ValidateUpsert(ClusterCollectionSpec spec, ClusterPoint[] points)
    {
        if (points.Length == 0)
        {
            throw new ArgumentException("the batch is empty; give at least one point.", nameof(points));
        }
        if (points.Length > Limits.MaxBatchSize)
        {
            throw new LimitExceededException($"{points.Length} points in one batch exceed the limit of {Limits.MaxBatchSize}; split the batch.", nameof(points));
        }
        var metric = Enum.Parse<Metric>(spec.Metric);
        var seen = new HashSet<PointId>();
        for (int i = 0; i < points.Length; i++)
        {
            var point = points[i] ?? throw new ArgumentException($"point at batch index {i} is null.", nameof(points));
            string what = $"point {point.Id} (batch index {i})";
            if (!seen.Add(point.Id))
            {
                throw new ArgumentException($"id {point.Id} appears more than once in the batch (again at index {i}); send each id once.", nameof(points));
            }
            if (point.Vector is null || point.Vector.Length != spec.Dimension)
            {
                throw new ArgumentException($"{what} has {point.Vector?.Length ?? 0} coordinates; the collection has dimension {spec.Dimension}.", nameof(points));
            }
            int bad = Array.FindIndex(point.Vector, x => !float.IsFinite(x));
            if (bad >= 0)
            {
                throw new ArgumentException($"{what}: coordinate {bad} is {point.Vector[bad]}; every coordinate must be a finite number.", nameof(points));
            }
            VectorMagnitude.Check(point.Vector, metric, what);
            ValidatePayload(point.PayloadJson, what);
        }
    }

    /// <exception cref="ArgumentException">No ids, or more than one call may carry.</exception>
    public static void ValidateDelete(PointId[] ids)
    {
        if (ids.Length == 0)
        {
            throw new ArgumentException("the id list is empty; give at least one id to delete.", nameof(ids));
        }
        ValidateIdCount(ids.Length, "delete");
    }

    /// <exception cref="LimitExceededException">More ids than one call may carry.</exception>
    public static void ValidateIdCount(int count, string call)
    {
        if (count > Limits.MaxIdsPerCall)
        {
            throw new LimitExceededException($"{count} ids in one {call} exceed the limit of {Limits.MaxIdsPerCall}; split the call.", "ids");
        }
    }

    /// <exception cref="ArgumentException">A page size below 1 or above the per-call id limit.</exception>
    public static void ValidateScrollLimit(int limit)
    {
        if (limit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be at least 1.");
        }
        ValidateIdCount(limit, "scroll page");
    }

    private static void ValidatePayload(string? json, string what)
    {
        if (json is null)
        {
            return;
        }
        if (Encoding.UTF8.GetByteCount(json) > Limits.MaxPayloadBytes)
        {
            throw new LimitExceededException($"{what} has a payload over the limit of {Limits.MaxPayloadBytes} bytes.", "payload");
        }
        try
        {
            if (JsonNode.Parse(json) is not JsonObject)
            {
                throw new ArgumentException($"{what}: the payload must be a JSON object.", "payload");
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{what}: the payload is not valid JSON ({e.Message}).", "payload", e);
        }
    }
}
