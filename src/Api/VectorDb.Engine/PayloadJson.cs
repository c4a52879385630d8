using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VectorDb.Engine;

/// <summary>
/// Serialises a point's payload once, straight to the UTF-8 bytes that storage keeps (no intermediate UTF-16 string
/// and re-encoding). The same bytes are then flattened for filtering (<see cref="PayloadFields.FromUtf8"/>),
/// exactly as they are on reopen.
/// </summary>
internal static class PayloadJson
{
    // Per-thread scratch (Prepare runs on the thread pool for large batches); dropped after an unusually large
    // payload so that one big write does not pin its buffer for the life of the thread.
    private const int KeptScratchBytes = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The compact JSON of <paramref name="payload"/> (what <see cref="JsonNode.ToJsonString"/> gives, as
    /// UTF-8); empty for null.</summary>
    public static byte[] ToUtf8(JsonObject? payload)
    {
        if (payload is null)
        {
            return [];
        }
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        payload.WriteTo(writer);
        writer.Flush();
        byte[] bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > KeptScratchBytes)
        {
            t_buffer = null;
            t_writer = null;
        }
        return bytes;
    }
}
