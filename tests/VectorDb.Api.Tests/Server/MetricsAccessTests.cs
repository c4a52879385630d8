using System.Net;
using System.Net.Http.Headers;
using VectorDb.Api.Tests.Support;
using VectorDb.Api.V1;

namespace VectorDb.Api.Tests.Server;

/// <summary>
/// Issue 12, item 6 (/metrics): the metrics endpoint names every collection and its point count, so when API keys are
/// configured a scrape needs one (read-only suffices; Prometheus sends it as a bearer token), unless
/// VectorDb:MetricsAnonymous opts out. With no keys configured it stays open, like every call.
/// </summary>
public sealed class MetricsAccessTests
{
    [Fact]
    public async Task WithKeys_MetricsNeedAKey_ReadOnlySuffices()
    {
        int metricsPort = InProcessServer.FreePort();
        await using var server = await InProcessServer.StartAsync(new Dictionary<string, string?>
        {
            ["VectorDb:RestUrls"] = $"http://127.0.0.1:{metricsPort}",
            ["VectorDb:ApiKey"] = "rw",
            ["VectorDb:ReadOnlyApiKey"] = "ro",
        });
        using (var client = server.Client("rw"))
        {
            await client.CreateCollectionAsync("secret-name", 3, Distance.Dot);
        }
        string url = $"http://127.0.0.1:{metricsPort}/metrics";
        using var http = new HttpClient();

        using (var anonymous = await http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.DoesNotContain("secret-name", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var wrong = await GetWithBearerAsync(http, url, "nope"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using (var readOnly = await GetWithBearerAsync(http, url, "ro"))
        {
            Assert.Equal(HttpStatusCode.OK, readOnly.StatusCode);
        }
    }

    [Fact]
    public async Task WithKeysAndMetricsAnonymous_OrWithoutKeys_MetricsAreOpen()
    {
        foreach (var settings in new[]
        {
            new Dictionary<string, string?> { ["VectorDb:ApiKey"] = "rw", ["VectorDb:MetricsAnonymous"] = "true" },
            new Dictionary<string, string?>(),
        })
        {
            int metricsPort = InProcessServer.FreePort();
            settings["VectorDb:RestUrls"] = $"http://127.0.0.1:{metricsPort}";
            await using var server = await InProcessServer.StartAsync(settings);
            using var http = new HttpClient();
            using var response = await http.GetAsync($"http://127.0.0.1:{metricsPort}/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static async Task<HttpResponseMessage> GetWithBearerAsync(HttpClient http, string url, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await http.SendAsync(request);
    }
}
