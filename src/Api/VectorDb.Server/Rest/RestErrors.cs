using System.Text.Json;

namespace VectorDb.Server.Rest;

/// <summary>Exception → HTTP status, the REST counterpart of <see cref="Interceptors.ErrorMappingInterceptor"/>
/// (same categories, same messages, bounded the same way):
/// 400 bad input or unsupported feature, 404 unknown collection or point, 409 collection name taken,
/// 413 body over the size limit, 500 damaged data or internal error, 503 shutting down or (cluster) data unavailable,
/// 507 disk full.</summary>
internal static class RestErrors
{
    public static (int Status, string Message) Map(Exception e) => e switch
    {
        BadHttpRequestException bad => (bad.StatusCode, $"the request was refused: {bad.Message}"),
        CollectionAlreadyExistsException => (StatusCodes.Status409Conflict, e.Message),
        KeyNotFoundException => (StatusCodes.Status404NotFound, e.Message),
        JsonException => (StatusCodes.Status400BadRequest, $"the request body is not valid JSON: {e.Message}"),
        ArgumentException => (StatusCodes.Status400BadRequest, Interceptors.ErrorMappingInterceptor.WithoutParameterSuffix(e)),
        ObjectDisposedException => (StatusCodes.Status503ServiceUnavailable, "the server is shutting down; retry against a running server."),
        Backend.StoreUnavailableException => (StatusCodes.Status503ServiceUnavailable, e.Message),
        _ when EngineErrors.CodeOf(e) == EngineErrorCode.DataDamaged => (StatusCodes.Status500InternalServerError, e.Message),
        _ when EngineErrors.CodeOf(e) == EngineErrorCode.DiskFull => (StatusCodes.Status507InsufficientStorage, e.Message),
        InvalidOperationException or NotSupportedException => (StatusCodes.Status400BadRequest, e.Message),
        _ => (StatusCodes.Status500InternalServerError, "internal error; the server log has the details."),
    };
}
