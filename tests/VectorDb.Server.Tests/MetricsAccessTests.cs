using System.Net;
using System.Net.Http.Headers;
using VectorDb.Tests.Support;
using VectorDb.Api.V1;

namespace VectorDb.Server.Tests;

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
        await using var server = await InProcessServer.StartAsync(new Dictionary<string, string?>
        {
            ["VectorDb:ApiKey"] = "rw",
            ["VectorDb:ReadOnlyApiKey"] = "ro",
        }, rest: true);
        using (var client = server.Client("rw"))
        {
            await client.CreateCollectionAsync("secret-name", 3, Distance.Dot);
        }
        string url = $"{server.RestAddress}/metrics";
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
            await using var server = await InProcessServer.StartAsync(settings, rest: true);
            using var http = new HttpClient();
            using var response = await http.GetAsync($"{server.RestAddress}/metrics");
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
