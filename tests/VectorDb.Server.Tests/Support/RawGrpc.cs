using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;

namespace VectorDb.Tests.Support;

/// <summary>
/// Hand-framed gRPC calls over HTTP/2 with prior knowledge (cleartext, as gRPC clients do), for requests a gRPC stub
/// cannot make: any request path (other letter case, a trailing '/'), any body bytes (unparsable messages).
/// </summary>
public sealed class RawGrpc : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true });

    /// <summary>What came back: the HTTP status and, when the server answered as gRPC, grpc-status and grpc-message.</summary>
    public sealed record Reply(HttpStatusCode Http, StatusCode? Status, string? Message)
    {
        public override string ToString() => $"HTTP {(int)Http}, grpc-status {Status?.ToString() ?? "none"}: {Message}";
    }

    /// <summary>POSTs <paramref name="body"/> (already framed, see <see cref="Frame"/>) to <paramref name="path"/>.</summary>
    public async Task<Reply> CallAsync(string address, string path, byte[] body, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address + path, UriKind.Absolute))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (apiKey is not null)
        {
            request.Headers.Add("api-key", apiKey);
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        // A trailers-only reply (an error before any message) carries the status in the headers.
        string? status = Value(response.TrailingHeaders, "grpc-status") ?? Value(response.Headers, "grpc-status");
        string? message = Value(response.TrailingHeaders, "grpc-message") ?? Value(response.Headers, "grpc-message");
        return new Reply(response.StatusCode, status is null ? null : (StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture),
            message is null ? null : Uri.UnescapeDataString(message));
    }

    /// <summary>One length-prefixed gRPC message: flag 0 (not compressed), 4-byte big-endian length, the bytes.</summary>
    public static byte[] Frame(byte[] message)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        return framed;
    }

    private static string? Value(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}
