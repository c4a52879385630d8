using System.Text.Json;
using System.Text.Json.Nodes;
using VectorDb.Server.Backend;

namespace VectorDb.Server.Rest;

/// <summary>One REST request as the handlers see it: the route's collection, the query string's flags and the JSON
/// body (parsed once, depth-bounded; Kestrel bounds its size with <see cref="ServerOptions.MaxMessageBytes"/>), and the
/// data (<see cref="ICollectionStore"/>: a single node's database or the cluster).</summary>
internal sealed class RestCall(HttpContext http, ICollectionStore store)
{
    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = 64 };

    public HttpContext Http { get; } = http;

    public ICollectionStore Store { get; } = store;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The {collection_name} route value.</summary>
    public string CollectionName => Http.GetRouteValue("collection_name") as string ?? "";

    /// <summary>The collection named by the route (404 when it does not exist).</summary>
    public Task<IStoredCollection> CollectionAsync() => Store.OpenAsync(CollectionName, Aborted);

    /// <summary>Qdrant's <c>?wait=</c>: answer once the write is durable (true) or once it is applied (false, the
    /// default, as in Qdrant).</summary>
    public bool Wait => Http.Request.Query["wait"].ToString() switch
    {
        "" or "false" => false,
        "true" => true,
        var other => throw new ArgumentException($"query parameter wait is '{other}'; use true or false.", "wait"),
    };

    /// <summary>Qdrant's <c>?ordering=weak|medium|strong</c> of a write: every write goes through its shard's one
    /// primary, in order (a single node: one writer), so each ordering holds; the write uses the collection's consistency.</summary>
    public WriteRequest Write => Http.Request.Query["ordering"].ToString() switch
    {
        "" or "weak" or "medium" or "strong" => WriteRequest.Default,
        var other => throw new ArgumentException($"query parameter ordering is '{Bounded(other)}'; use weak, medium or strong.", "ordering"),
    };

    /// <summary>Qdrant's <c>?consistency=</c> of a read: a number of replicas, <c>majority</c>, <c>quorum</c> or
    /// <c>all</c>. 1 (or none) reads any in-sync replica; anything more reads each shard's primary, which holds every
    /// acknowledged write (VectorDb does not compare replicas' answers).</summary>
    public ReadRequest Read => Http.Request.Query["consistency"].ToString() switch
    {
        "" or "1" => ReadRequest.Default,
        "majority" or "quorum" or "all" => new ReadRequest(Primary: true),
        var number when int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int factor) && factor > 1 =>
            new ReadRequest(Primary: true),
        var other => throw new ArgumentException($"query parameter consistency is '{Bounded(other)}'; use a number of replicas (1 or more), majority, quorum or all.", "consistency"),
    };

    private static string Bounded(string text) => text.Length <= 32 ? text : text[..32] + "…";

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
