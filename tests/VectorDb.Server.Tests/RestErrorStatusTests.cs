using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using VectorDb.Tests.Support;

namespace VectorDb.Server.Tests;

/// <summary>
/// The gRPC error cases (<see cref="ErrorStatusTests"/>) and the REST-only ones, over Qdrant's REST API on a real
/// server on 127.0.0.1: the HTTP status, Qdrant's error envelope (<c>{"status": {"error": "..."}, "time": ...}</c>)
/// with a message that says what to fix, and the collection unchanged afterwards (read back over REST).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xUnit calls DisposeAsync (IAsyncLifetime), which disposes the HttpClient.")]
public sealed class RestErrorStatusTests : IAsyncLifetime
{
    private const string ReadWriteKey = ErrorCaseServer.ReadWriteKey;
    private const string ReadOnlyKey = ErrorCaseServer.ReadOnlyKey;
    private InProcessServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ErrorCaseServer.StartAsync(rest: true);
        _http = new HttpClient { BaseAddress = new Uri(_server.RestAddress!) };
        await Ok("PUT", "/collections/c", """{"vectors": {"size": 4, "distance": "Euclid"}}""");
        string points = string.Join(",", Enumerable.Range(1, 10).Select(i => $$"""{"id": {{i}}, "vector": [{{i}}, 0, 0, 1], "payload": {"n": {{i}} } }"""));
        await Ok("PUT", "/collections/c/points?wait=true", $$"""{"points": [{{points}}]}""");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private const string Rw = ReadWriteKey;

    public static TheoryData<string> Cases => [.. s_cases.Keys];

    private static string Upsert(params string[] points) => $$"""{"points": [{{string.Join(",", points)}}]}""";

    private static readonly Dictionary<string, (HttpStatusCode Status, string Message, string Method, string Path, string? Body, string? Key)> s_cases = new()
    {
        ["wrong dimension upsert"] = (HttpStatusCode.BadRequest, "dimension 4", "PUT", "/collections/c/points", Upsert("""{"id": 99, "vector": [1, 2, 3]}"""), Rw),
        ["wrong dimension search"] = (HttpStatusCode.BadRequest, "dimension 4", "POST", "/collections/c/points/query", """{"query": [1, 2], "limit": 3}""", Rw),
        ["NaN in vector (not JSON)"] = (HttpStatusCode.BadRequest, "not valid JSON", "PUT", "/collections/c/points", Upsert("""{"id": 99, "vector": [1, NaN, 3, 4]}"""), Rw),
        ["Infinity in query"] = (HttpStatusCode.BadRequest, "coordinate 2", "POST", "/collections/c/points/search", """{"vector": [1, 2, -1e39, 4], "limit": 3}""", Rw),
        ["Infinity in one query of a batch"] = (HttpStatusCode.BadRequest, "coordinate 1", "POST", "/collections/c/points/query/batch",
            """{"searches": [{"query": [1, 2, 3, 4], "limit": 3}, {"query": [1, 1e39, 3, 4], "limit": 3}]}""", Rw),
        ["wrong dimension in a search batch"] = (HttpStatusCode.BadRequest, "dimension 4", "POST", "/collections/c/points/search/batch",
            """{"searches": [{"vector": [1, 2], "limit": 3}]}""", Rw),
        ["unknown collection"] = (HttpStatusCode.NotFound, "'nope' does not exist", "POST", "/collections/nope/points/query", """{"query": [1, 2, 3, 4]}""", Rw),
        ["unknown collection upsert"] = (HttpStatusCode.NotFound, "'nope' does not exist", "PUT", "/collections/nope/points", Upsert("""{"id": 1, "vector": [1, 2, 3, 4]}"""), Rw),
        ["collection already exists"] = (HttpStatusCode.Conflict, "already exists", "PUT", "/collections/c", """{"vectors": {"size": 8, "distance": "Cosine"}}""", Rw),
        ["limit = 0"] = (HttpStatusCode.BadRequest, "must be 1..100", "POST", "/collections/c/points/query", """{"query": [1, 2, 3, 4], "limit": 0}""", Rw),
        ["limit above the maximum"] = (HttpStatusCode.BadRequest, "must be 1..100", "POST", "/collections/c/points/query", """{"query": [1, 2, 3, 4], "limit": 101}""", Rw),
        ["empty batch"] = (HttpStatusCode.BadRequest, "empty", "PUT", "/collections/c/points", """{"points": []}""", Rw),
        ["batch above the limit"] = (HttpStatusCode.BadRequest, "limit of 50", "PUT", "/collections/c/points",
            Upsert([.. Enumerable.Range(100, 51).Select(i => $$"""{"id": {{i}}, "vector": [1, 2, 3, 4]}""")]), Rw),
        ["duplicate ids in one batch"] = (HttpStatusCode.BadRequest, "more than once", "PUT", "/collections/c/points",
            Upsert("""{"id": 5, "vector": [9, 9, 9, 9]}""", """{"id": 5, "vector": [8, 8, 8, 8]}"""), Rw),
        ["id not found"] = (HttpStatusCode.NotFound, "no point with id 77", "GET", "/collections/c/points/77", null, Rw),
        ["malformed filter: empty condition"] = (HttpStatusCode.BadRequest, "filter.must[0] is not a condition", "POST", "/collections/c/points/delete",
            """{"filter": {"must": [{}]}}""", Rw),
        ["malformed filter: match and range"] = (HttpStatusCode.BadRequest, "exactly one of match or range", "POST", "/collections/c/points/delete",
            """{"filter": {"must": [{"key": "n", "match": {"value": 1}, "range": {"gt": 0}}]}}""", Rw),
        ["malformed filter: range without bounds"] = (HttpStatusCode.BadRequest, "no bound", "POST", "/collections/c/points/count",
            """{"filter": {"must": [{"key": "n", "range": {}}]}}""", Rw),
        ["payload too large"] = (HttpStatusCode.BadRequest, "limit of collection 'c' is 256 bytes", "PUT", "/collections/c/points",
            Upsert($$"""{"id": 99, "vector": [1, 2, 3, 4], "payload": {"text": "{{new string('x', 300)}}"} }"""), Rw),
        ["body too large"] = (HttpStatusCode.RequestEntityTooLarge, "too large", "PUT", "/collections/c/points",
            Upsert($$"""{"id": 99, "vector": [1, 2, 3, 4], "payload": {"text": "{{new string('x', 2 << 20)}}"} }"""), Rw),
        ["malformed uuid id"] = (HttpStatusCode.BadRequest, "UUID", "PUT", "/collections/c/points", Upsert("""{"id": "5c56c793-69f3-4fbf-87e6", "vector": [1, 2, 3, 4]}"""), Rw),
        ["negative id"] = (HttpStatusCode.BadRequest, "unsigned integer", "PUT", "/collections/c/points", Upsert("""{"id": -3, "vector": [1, 2, 3, 4]}"""), Rw),
        ["body not JSON"] = (HttpStatusCode.BadRequest, "not valid JSON", "POST", "/collections/c/points/count", "{filter", Rw),
        ["unsupported: named vectors"] = (HttpStatusCode.BadRequest, "not supported", "PUT", "/collections/d",
            """{"vectors": {"text": {"size": 4, "distance": "Cosine"}}}""", Rw),
        ["unsupported: prefetch"] = (HttpStatusCode.BadRequest, "prefetch is not supported", "POST", "/collections/c/points/query",
            """{"query": [1, 2, 3, 4], "prefetch": {"query": [1, 2, 3, 4]}}""", Rw),
        ["unsupported: full-text match"] = (HttpStatusCode.BadRequest, "full-text match", "POST", "/collections/c/points/count",
            """{"filter": {"must": [{"key": "n", "match": {"text": "x"}}]}}""", Rw),
        ["unsupported: route"] = (HttpStatusCode.NotFound, "does not serve POST /collections/c/points/payload", "POST", "/collections/c/points/payload",
            """{"payload": {"n": 1}, "points": [1]}""", Rw),
        ["missing API key"] = (HttpStatusCode.Unauthorized, "missing API key", "PUT", "/collections/c/points", Upsert("""{"id": 99, "vector": [1, 2, 3, 4]}"""), null),
        ["wrong API key"] = (HttpStatusCode.Unauthorized, "not recognised", "POST", "/collections/c/points/delete", """{"points": [1, 2]}""", "wrong"),
        ["wrong API key read"] = (HttpStatusCode.Unauthorized, "not recognised", "POST", "/collections/c/points/count", "{}", "wrong"),
        ["read-only key upsert"] = (HttpStatusCode.Forbidden, "read-only", "PUT", "/collections/c/points", Upsert("""{"id": 99, "vector": [1, 2, 3, 4]}"""), ReadOnlyKey),
        ["read-only key delete"] = (HttpStatusCode.Forbidden, "read-only", "POST", "/collections/c/points/delete", """{"points": [1]}""", ReadOnlyKey),
        ["read-only key drop"] = (HttpStatusCode.Forbidden, "read-only", "DELETE", "/collections/c", null, ReadOnlyKey),
        ["read-only key create"] = (HttpStatusCode.Forbidden, "read-only", "PUT", "/collections/d", """{"vectors": {"size": 4, "distance": "Dot"}}""", ReadOnlyKey),
        ["read-only key payload index"] = (HttpStatusCode.Forbidden, "read-only", "PUT", "/collections/c/index", """{"field_name": "n", "field_schema": "integer"}""", ReadOnlyKey),
        ["read-only key, unknown route (fails closed)"] = (HttpStatusCode.Forbidden, "read-only", "POST", "/collections/c/points/payload", "{}", ReadOnlyKey),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ErrorCase_GetsItsStatusAndQdrantErrorBody_AndChangesNothing(string name)
    {
        var (status, message, method, path, body, key) = s_cases[name];
        string before = await SnapshotAsync();
        var (got, json) = await SendAsync(method, path, body, key);
        Assert.Equal(status, got);
        string error = json?["status"]?["error"]?.GetValue<string>() ?? $"no Qdrant error body: {json?.ToJsonString()}";
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.True(json!["time"]!.GetValue<double>() >= 0);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task ReadOnlyKey_Reads_HealthAndMetricsRules_MatchGrpc()
    {
        var (status, json) = await SendAsync("POST", "/collections/c/points/count", "{}", ReadOnlyKey);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(10, json!["result"]!["count"]!.GetValue<int>());
        Assert.Equal("ok", json["status"]!.GetValue<string>());
        (status, _) = await SendAsync("POST", "/collections/c/points/query", """{"query": [1, 0, 0, 1], "limit": 3}""", ReadOnlyKey);
        Assert.Equal(HttpStatusCode.OK, status);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/collections");
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ReadWriteKey);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(bearer)).StatusCode);
        foreach (string probe in (string[])["/healthz", "/livez", "/readyz"])
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(probe)).StatusCode); // no key needed, as in Qdrant
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync("/metrics")).StatusCode);
        (status, _) = await SendAsync("GET", "/metrics", null, ReadOnlyKey);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Json)> SendAsync(string method, string path, string? body, string? key)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            // A body over the limit is refused (413) from its Content-Length before it is read, and the connection is
            // closed: a client still writing it then sees a broken pipe instead of the answer (seen under load). With
            // "Expect: 100-continue" the client sends the body only once the server asks for it, as real clients do.
            request.Headers.ExpectContinue = body.Length > 64 * 1024;
        }
        if (key is not null)
        {
            request.Headers.Add("api-key", key);
        }
        using var response = await _http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            json = JsonNode.Parse(text);
        }
        return (response.StatusCode, json);
    }

    private async Task<JsonNode> Ok(string method, string path, string? body)
    {
        var (status, json) = await SendAsync(method, path, body, ReadWriteKey);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path}: {status} {json?.ToJsonString()}");
        return json!["result"]!;
    }

    /// <summary>Everything observable about collection "c" and the catalogue, read over REST.</summary>
    private async Task<string> SnapshotAsync()
    {
        var collections = await Ok("GET", "/collections", null);
        var count = await Ok("POST", "/collections/c/points/count", "{}");
        var all = await Ok("POST", "/collections/c/points/scroll", """{"limit": 1000, "with_payload": true, "with_vector": true}""");
        var search = await Ok("POST", "/collections/c/points/query", """{"query": [3, 0, 0, 1], "limit": 5}""");
        return $"{collections.ToJsonString()}|{count.ToJsonString()}|{all.ToJsonString()}|{search.ToJsonString()}";
    }
}
