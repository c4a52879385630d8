using VectorDb.Server.Security;

namespace VectorDb.Server.Hosting;

/// <summary>
/// Guards GET /metrics (which names every collection and its point count): when API keys are configured, a scrape must
/// send one (a read-only key suffices) as <c>Authorization: Bearer &lt;key&gt;</c> (Prometheus'
/// <c>authorization.credentials</c>) or <c>api-key</c>; otherwise it gets 401. <see cref="ServerOptions.MetricsAnonymous"/>
/// opts out (e.g. for a loopback-only metrics address). With no keys configured, /metrics is open like every call.
/// </summary>
public static class MetricsAuthorization
{
    /// <summary>Adds the check in front of every GET /metrics that arrives on one of the REST <paramref name="ports"/>.</summary>
    public static void Use(WebApplication app, IReadOnlySet<int> ports, ApiKeys keys, bool anonymous)
    {
        if (anonymous || !keys.Enabled)
        {
            return;
        }
        app.Use(async (context, next) =>
        {
            if (ports.Contains(context.Connection.LocalPort) && context.Request.Path.StartsWithSegments("/metrics"))
            {
                var headers = context.Request.Headers;
                string? key = ApiKeys.Presented(headers["api-key"].ToString(), headers.Authorization.ToString());
                if (keys.RoleOf(key) == KeyRole.None)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await context.Response.WriteAsync("missing or unknown API key: send 'Authorization: Bearer <key>' (a read-only key suffices).\n");
                    return;
                }
            }
            await next(context);
        });
    }
}
