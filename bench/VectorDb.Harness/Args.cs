using System.Globalization;

namespace VectorDb.Harness;

/// <summary>
/// Minimal '--name value' / '--flag' option parser. Unknown options are reported by <see cref="EnsureOnly"/>
/// so that a typo never silently runs with a default.
/// </summary>
internal sealed class Args
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public static Args Parse(string[] args)
    {
        var parsed = new Args();
        for (int i = 0; i < args.Length; i++)
        {
            string token = args[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
            {
                throw new ArgumentException($"unexpected argument '{token}'; options look like --name value.");
            }
            string name = token[2..];
            string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            parsed._values[name] = value;
        }
        return parsed;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) && value is not null
            ? value
            : throw new ArgumentException($"--{name} is required.");

    public string String(string name, string fallback) =>
        _values.TryGetValue(name, out var value) && value is not null ? value : fallback;

    public string? Optional(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var value) && value is not null ? ParseInt(name, value) : fallback;

    /// <summary>A comma-separated list such as "1,2,4".</summary>
    public int[] IntList(string name, int[] fallback) =>
        _values.TryGetValue(name, out var value) && value is not null
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => ParseInt(name, v)).ToArray()
            : fallback;

    public string[] StringList(string name, string[] fallback) =>
        _values.TryGetValue(name, out var value) && value is not null
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : fallback;

    /// <summary>Throws if any option other than <paramref name="known"/> (and --help) was given.</summary>
    public void EnsureOnly(params string[] known)
    {
        var unknown = _values.Keys.Where(k => k != "help" && !known.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }

    private static int ParseInt(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new ArgumentException($"--{name}: '{text}' is not an integer.");
}
