namespace VectorDb.Server.Rest;

/// <summary>A request uses a part of Qdrant's API that VectorDb does not serve; answered 400 with a message that
/// names the part, and nothing is changed.</summary>
public sealed class UnsupportedException(string what)
    : ArgumentException($"{what} is not supported by VectorDb's Qdrant-compatible API (docs/api.md lists what is served).");
