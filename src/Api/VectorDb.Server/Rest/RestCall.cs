using System.Text.Json;
using System.Text.Json.Nodes;

namespace VectorDb.Server.Rest;

/// <summary>One REST request as the handlers see it: the route's collection, the query string's flags and the JSON
/// body (parsed once, depth-bounded; Kestrel bounds its size with <see cref="ServerOptions.MaxMessageBytes"/>).</summary>
internal sealed class RestCall(HttpContext http, VectorDatabase database)
{
    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = 64 };

    public HttpContext Http { get; } = http;

    public VectorDatabase Database { get; } = database;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The {collection_name} route value.</summary>
    public string CollectionName => Http.GetRouteValue("collection_name") as string ?? "";

    /// <summary>The collection named by the route (404 when it does not exist).</summary>
    public VectorCollection Collection => Database.GetCollection(CollectionName);

    /// <summary>Qdrant's <c>?wait=</c>: answer once the write is durable (true) or once it is applied (false, the
    /// default, as in Qdrant).</summary>
    public bool Wait => Http.Request.Query["wait"].ToString() switch
    {
        "" or "false" => false,
        "true" => true,
        var other => throw new ArgumentException($"query parameter wait is '{other}'; use true or false.", "wait"),
    };

    /// <summary>The request body as a JSON object; an empty body is an empty object.</summary>
    public async Task<JsonObject> BodyAsync()
    {
        var request = Http.Request;
        if (request.ContentLength == 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return [];
        }
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, documentOptions: s_documentOptions, cancellationToken: Aborted);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the request body is not valid JSON: {e.Message}", "body", e);
        }
        return node switch
        {
            null => [],
            JsonObject body => body,
            _ => throw new ArgumentException($"the request body must be a JSON object, got {QdrantJson.Describe(node)}.", "body"),
        };
    }
}
