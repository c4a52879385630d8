using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using VectorDb.Server.Interceptors;
using VectorDb.Server.Security;
using VectorDb.Server.Telemetry;

namespace VectorDb.Server.Rest;

/// <summary>Whether a REST route only reads (a read-only key may call it). Routes without it are writes.</summary>
internal sealed record RestAccess(bool ReadOnly);

/// <summary>
/// Qdrant's REST API on the REST port (HTTP/1.1): routes, Qdrant's envelopes (<c>{"result", "status": "ok",
/// "time"}</c> and <c>{"status": {"error"}, "time"}</c>), and API keys with the gRPC rules: with keys configured every
/// route but the health probes needs one (<c>api-key</c> header or <c>Authorization: Bearer</c>), a read-only key
/// may call only routes marked <see cref="RestAccess"/> read-only, and a route without that mark, or a request that
/// matched no route, is treated as a write (fail closed). The check runs before the handler, so a refused request
/// changes nothing. The handlers (<see cref="CollectionsRest"/>, <see cref="PointsRest"/>) only translate JSON.
/// </summary>
internal static class RestApi
{
    /// <summary>The Qdrant API version whose REST and gRPC shapes this server follows (clients compare it with theirs).</summary>
    public const string QdrantApiVersion = "1.19.0";

    /// <summary>The service title (REST <c>GET /</c>, Qdrant gRPC health check).</summary>
    public const string Title = "vectordb - compressed vector search (Qdrant-compatible API)";

    private static readonly string[] s_healthPaths = ["/healthz", "/livez", "/readyz"];

    /// <summary>Adds the API-key check and the routes, all bound to the REST <paramref name="ports"/>.</summary>
    public static void Map(WebApplication app, IReadOnlySet<int> ports, ApiKeys keys, ServerMetrics metrics)
    {
        app.Use(async (context, next) =>
        {
            if (!ports.Contains(context.Connection.LocalPort) || IsOpen(context.Request.Path))
            {
                await next(context);
                return;
            }
            long start = Stopwatch.GetTimestamp();
            try
            {
                await ServeAsync(context, next, keys);
            }
            finally
            {
                metrics.RecordRest(RouteLabel(context), context.Response.StatusCode, Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
        });
        string[] host = [.. ports.Select(port => $"*:{port}")];
        MapProbes(app, host);
        // Service info is the one answer without the result envelope, as in Qdrant (clients read .version from it).
        app.MapGet("/", (HttpContext context) => WriteAsync(context, StatusCodes.Status200OK, new JsonObject
            {
                ["title"] = Title,
                ["version"] = QdrantApiVersion,
            }))
            .RequireHost(host)
            .WithMetadata(new RestAccess(ReadOnly: true));
        CollectionsRest.Map(app, host);
        PointsRest.Map(app, host);
        SearchRest.Map(app, host);
    }

    /// <summary>The health probes (<c>/healthz</c>, <c>/livez</c>, <c>/readyz</c>; open without a key), on <paramref name="host"/>.</summary>
    internal static void MapProbes(WebApplication app, string[] host)
    {
        foreach (string path in s_healthPaths)
        {
            string text = $"{path.TrimStart('/')} check passed";
            app.MapGet(path, () => Results.Text(text)).RequireHost(host);
        }
    }

    /// <summary>Registers a route a read-only key may call.</summary>
    public static void Read(WebApplication app, string[] host, string method, string pattern, Func<RestCall, Task<JsonNode?>> handler) =>
        Route(app, host, method, pattern, handler, readOnly: true);

    /// <summary>Registers a route that needs a read-write key.</summary>
    public static void Write(WebApplication app, string[] host, string method, string pattern, Func<RestCall, Task<JsonNode?>> handler) =>
        Route(app, host, method, pattern, handler, readOnly: false);

    private static void Route(WebApplication app, string[] host, string method, string pattern, Func<RestCall, Task<JsonNode?>> handler, bool readOnly) =>
        app.MapMethods(pattern, [method], (HttpContext context, Backend.ICollectionStore store) => RunAsync(context, store, handler))
            .RequireHost(host)
            .WithMetadata(new RestAccess(readOnly));

    /// <summary>Authorisation, then the route (or 404 for a request that matched none).</summary>
    private static async Task ServeAsync(HttpContext context, RequestDelegate next, ApiKeys keys)
    {
        if (await RefusedAsync(context, keys))
        {
            return;
        }
        if (context.GetEndpoint()?.Metadata.GetMetadata<RestAccess>() is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, Stopwatch.GetTimestamp(),
                $"VectorDb does not serve {context.Request.Method} {Bounded(context.Request.Path)} (docs/api.md lists the REST routes it serves).");
            return;
        }
        await next(context);
    }

    /// <summary>The metrics label of a request: its method and route pattern, or "unmatched" (never the raw path,
    /// which is client input of unbounded variety).</summary>
    private static string RouteLabel(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern } endpoint && endpoint.Metadata.GetMetadata<RestAccess>() is not null
            ? $"{context.Request.Method} {pattern}"
            : "unmatched";

    /// <summary>A health probe or /metrics (which <see cref="Hosting.MetricsAuthorization"/> guards).</summary>
    internal static bool IsOpen(PathString path) =>
        Array.Exists(s_healthPaths, p => path.Equals(p, StringComparison.Ordinal)) || path.StartsWithSegments("/metrics"); // /metrics: MetricsAuthorization

    /// <summary>Writes 401/403 and returns true when the request may not run.</summary>
    private static async Task<bool> RefusedAsync(HttpContext context, ApiKeys keys)
    {
        if (!keys.Enabled)
        {
            return false;
        }
        long start = Stopwatch.GetTimestamp();
        var headers = context.Request.Headers;
        string? key = ApiKeys.Presented(headers["api-key"].ToString(), headers.Authorization.ToString());
        if (key is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, start,
                "missing API key: send it in the 'api-key' header or as 'Authorization: Bearer <key>'.");
            return true;
        }
        var role = keys.RoleOf(key);
        if (role == KeyRole.None)
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, start, "the API key is not recognised; check the key the server was configured with.");
            return true;
        }
        bool readOnlyRoute = context.GetEndpoint()?.Metadata.GetMetadata<RestAccess>() is { ReadOnly: true };
        if (role == KeyRole.ReadOnly && !readOnlyRoute)
        {
            await WriteErrorAsync(context, StatusCodes.Status403Forbidden, start,
                $"the read-only API key cannot call {context.Request.Method} {Bounded(context.Request.Path)}; use a read-write key for writes.");
            return true;
        }
        return false;
    }

    private static async Task RunAsync(HttpContext context, Backend.ICollectionStore store, Func<RestCall, Task<JsonNode?>> handler)
    {
        long start = Stopwatch.GetTimestamp();
        JsonNode? result;
        try
        {
            result = await handler(new RestCall(context, store));
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            var (status, message) = RestErrors.Map(e);
            if (status == StatusCodes.Status500InternalServerError && EngineErrors.CodeOf(e) != EngineErrorCode.DataDamaged)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("VectorDb.Rest").LogError(e, "REST {Method} {Path} failed", context.Request.Method, Bounded(context.Request.Path));
            }
            await WriteErrorAsync(context, status, start, message);
            return;
        }
        await WriteAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["result"] = result,
            ["status"] = "ok",
            ["time"] = Stopwatch.GetElapsedTime(start).TotalSeconds,
        });
    }

    private static Task WriteErrorAsync(HttpContext context, int status, long start, string message) =>
        WriteAsync(context, status, new JsonObject
        {
            ["status"] = new JsonObject { ["error"] = StatusDetail.Bound(message) },
            ["time"] = Stopwatch.GetElapsedTime(start).TotalSeconds,
        });

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        // Relaxed escaping: quotes in messages stay readable; the body is served as application/json, never HTML.
        await using var writer = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        body.WriteTo(writer);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>A request path for a message, capped (it is client input).</summary>
    private static string Bounded(PathString path)
    {
        string text = path.ToString();
        return text.Length <= 128 ? text : text[..128] + "…";
    }
}
