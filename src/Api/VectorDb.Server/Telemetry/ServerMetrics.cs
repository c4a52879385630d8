using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace VectorDb.Server.Telemetry;

/// <summary>
/// The server's own instruments (meter "VectorDb.Server"), exported to Prometheus at /metrics:
/// <c>vectordb_rpc_requests_total{method,status}</c>, <c>vectordb_rpc_duration_seconds{method,status}</c> (histogram)
/// for gRPC calls (vectordb.v1 and Qdrant's qdrant.* services: the method label names the package),
/// <c>vectordb_rest_requests_total{route,status}</c> and <c>vectordb_rest_duration_seconds{route,status}</c> for the REST
/// API (route: the method and route pattern, e.g. <c>POST /collections/{collection_name}/points/query</c>, or
/// <c>unmatched</c>; status: the HTTP status code),
/// <c>vectordb_points{collection}</c> and <c>vectordb_disk_bytes{collection}</c> (gauges, read when scraped).
/// ASP.NET Core's own meters (HTTP request duration, Kestrel connections) are exported alongside.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "VectorDb.Server";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _restRequests;
    private readonly Histogram<double> _restDuration;

    public ServerMetrics(IMeterFactory meterFactory, VectorDatabase database)
    {
        _meter = meterFactory.Create(MeterName);
        _requests = _meter.CreateCounter<long>("vectordb.rpc.requests", unit: "{request}", description: "gRPC calls handled, by method and status code.");
        _duration = _meter.CreateHistogram<double>("vectordb.rpc.duration", unit: "s", description: "gRPC call latency, by method and status code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10] });
        _restRequests = _meter.CreateCounter<long>("vectordb.rest.requests", unit: "{request}", description: "REST requests handled, by route and HTTP status.");
        _restDuration = _meter.CreateHistogram<double>("vectordb.rest.duration", unit: "s", description: "REST request latency, by route and HTTP status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10] });
        _meter.CreateObservableGauge("vectordb.points", () => Observe(database, info => info.PointsCount), unit: "{point}",
            description: "Live points per collection.");
        _meter.CreateObservableGauge("vectordb.disk.bytes", () => Observe(database, info => info.BytesOnDisk), unit: "By",
            description: "Bytes of log files per collection.");
        _meter.CreateObservableGauge("vectordb.damaged.collections", () => ObserveDamaged(database), unit: "{collection}",
            description: "1 for each collection that could not be opened at start (refused with DATA_LOSS until salvaged or dropped).");
    }

    /// <summary>Records one finished call.</summary>
    public void Record(string method, Grpc.Core.StatusCode status, double seconds)
    {
        var tags = new TagList { { "method", method }, { "status", status.ToString() } };
        _requests.Add(1, tags);
        _duration.Record(seconds, tags);
    }

    /// <summary>Records one finished REST request (<paramref name="route"/>: a route pattern, never the raw path).</summary>
    public void RecordRest(string route, int status, double seconds)
    {
        var tags = new TagList { { "route", route }, { "status", status.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        _restRequests.Add(1, tags);
        _restDuration.Record(seconds, tags);
    }

    private static IEnumerable<Measurement<long>> Observe(VectorDatabase database, Func<CollectionInfo, long> value)
    {
        var measurements = new List<Measurement<long>>();
        IReadOnlyList<string> names;
        try
        {
            names = database.ListCollections();
        }
        catch (ObjectDisposedException)
        {
            return measurements; // shutting down
        }
        foreach (var name in names)
        {
            if (database.TryGetCollection(name, out var collection))
            {
                try
                {
                    measurements.Add(new Measurement<long>(value(collection.GetInfo()), new KeyValuePair<string, object?>("collection", name)));
                }
                catch (CollectionNotFoundException)
                {
                    // dropped while being observed
                }
            }
        }
        return measurements;
    }

    private static IEnumerable<Measurement<int>> ObserveDamaged(VectorDatabase database) =>
        database.DamagedCollections.Keys.Select(name => new Measurement<int>(1, new KeyValuePair<string, object?>("collection", name)));

    public void Dispose() => _meter.Dispose();
}
