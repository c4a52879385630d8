using System.Text;

namespace VectorDb.Server.Interceptors;

/// <summary>
/// Bounds the text of a status detail (the <c>grpc-message</c> trailer), which often echoes client input (a
/// collection name, a payload key). Without a bound a 100 KB name becomes a 100 KB trailer that clients reject as
/// oversized metadata (grpc-core's default limit is 8 KiB), and control characters would be written to the log.
/// </summary>
public static class StatusDetail
{
    /// <summary>Longest detail sent, in UTF-16 chars. Percent-encoding can triple non-ASCII text; 3 × 1,024 stays well
    /// below the 8 KiB metadata limit of common clients.</summary>
    public const int MaxChars = 1024; // long enough for a damaged collection's reason with its paths

    /// <summary>Chars kept from the end of an over-long detail: the end says what to fix.</summary>
    private const int TailChars = 160;

    /// <summary><paramref name="detail"/> with control characters shown as \uXXXX and, when longer than
    /// <see cref="MaxChars"/>, its middle replaced by '…' (head and tail kept).</summary>
    public static string Bound(string detail)
    {
        string visible = Escape(detail);
        if (visible.Length <= MaxChars)
        {
            return visible;
        }
        return string.Concat(visible.AsSpan(0, MaxChars - TailChars - 1), "…", visible.AsSpan(visible.Length - TailChars));
    }

    private static string Escape(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                escaped.Append(@"\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }
}
