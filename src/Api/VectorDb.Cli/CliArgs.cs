using System.Globalization;
using System.Numerics;

namespace VectorDb.Cli;

/// <summary>
/// Parsed command line: global options (before the command), the command, its positional arguments and its
/// <c>--name value</c> options / <c>--flag</c> switches. Unknown or missing options raise <see cref="UsageException"/>.
/// </summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public string Command { get; private init; } = "";

    public List<string> Positional { get; } = [];

    /// <summary>Everything after the command, unparsed (for `serve`, which hands it to the server).</summary>
    public string[] Rest { get; private init; } = [];

    public string Server { get; private init; } = "http://127.0.0.1:6334";

    public string? ApiKey { get; private init; }

    /// <summary>Options that take no value.</summary>
    private static readonly HashSet<string> s_flags = ["exact", "no-wait", "quiet", "help", "drop-damaged", "with-payload", "with-vector", "with-vectors"];

    public static CliArgs Parse(string[] args)
    {
        string server = Environment.GetEnvironmentVariable("VECTORDB_SERVER") ?? "http://127.0.0.1:6334";
        string? apiKey = Environment.GetEnvironmentVariable("VECTORDB_API_KEY");
        int i = 0;
        for (; i < args.Length && args[i].StartsWith("--", StringComparison.Ordinal); i++)
        {
            switch (args[i])
            {
                case "--server" when i + 1 < args.Length:
                    server = args[++i];
                    break;
                case "--api-key" when i + 1 < args.Length:
                    apiKey = args[++i];
                    break;
                case "--help":
                    return new CliArgs { Command = "help" };
                default:
                    throw new UsageException($"unknown or incomplete global option '{args[i]}' (global options: --server <url>, --api-key <key>).");
            }
        }
        if (i == args.Length)
        {
            return new CliArgs { Command = "help", Server = server, ApiKey = apiKey };
        }
        var parsed = new CliArgs { Command = args[i], Server = server, ApiKey = apiKey, Rest = args[(i + 1)..] };
        if (parsed.Command == "serve")
        {
            return parsed; // the server parses its own arguments (--VectorDb:ApiKey=key and the space form alike)
        }
        for (i++; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                parsed.Positional.Add(arg);
                continue;
            }
            string name = arg[2..];
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parsed._options[name[..equals]] = name[(equals + 1)..]; // --name=value
            }
            else if (s_flags.Contains(name))
            {
                parsed._options[name] = null;
            }
            else if (i + 1 < args.Length)
            {
                parsed._options[name] = args[++i];
            }
            else
            {
                throw new UsageException($"option --{name} needs a value.");
            }
        }
        return parsed;
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    public string? Optional(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var value) ? value : null;
    }

    public string Required(string name) =>
        Optional(name) ?? throw new UsageException($"{Command} needs --{name} <value>.");

    public int Int(string name, int? fallback = null) =>
        Number(name, fallback, NumberStyles.Integer, "an integer", "<integer>");

    public ulong ULong(string name, ulong fallback) =>
        Number<ulong>(name, fallback, NumberStyles.None, "an unsigned integer", "<value>");

    public double Double(string name, double fallback) =>
        Number<double>(name, fallback, NumberStyles.Float, "a number", "<value>");

    /// <summary>The option <paramref name="name"/> parsed invariantly with <paramref name="styles"/>; when it is absent,
    /// <paramref name="fallback"/>, or (no fallback) a usage error asking for <paramref name="placeholder"/>. A value
    /// that does not parse is a usage error saying it must be <paramref name="kind"/>.</summary>
    private T Number<T>(string name, T? fallback, NumberStyles styles, string kind, string placeholder)
        where T : struct, INumberBase<T>
    {
        string? text = Optional(name);
        if (text is null)
        {
            return fallback ?? throw new UsageException($"{Command} needs --{name} {placeholder}.");
        }
        return T.TryParse(text, styles, CultureInfo.InvariantCulture, out T value)
            ? value
            : throw new UsageException($"--{name} must be {kind}, got '{text}'.");
    }

    /// <summary>
    /// The option <paramref name="name"/> looked up (case-insensitively) in <paramref name="choices"/>; when it is
    /// absent, <paramref name="fallback"/>, or (no fallback) a usage error. Each choice's names are separated by '|':
    /// the first is the one listed in the error for a value that is not a choice, the others are accepted aliases.
    /// </summary>
    public T Choice<T>(string name, T? fallback, params ReadOnlySpan<(string Names, T Value)> choices)
        where T : struct
    {
        string? text = fallback is null ? Required(name) : Optional(name);
        if (text is null)
        {
            return fallback!.Value;
        }
        string given = text.ToLowerInvariant();
        var listed = new List<string>(choices.Length);
        foreach (var (names, value) in choices)
        {
            string[] accepted = names.Split('|');
            if (accepted.Contains(given, StringComparer.Ordinal))
            {
                return value;
            }
            listed.Add(accepted[0]);
        }
        string expected = listed.Count == 1 ? listed[0] : $"{string.Join(", ", listed[..^1])} or {listed[^1]}";
        throw new UsageException($"--{name} must be {expected}, got '{given}'.");
    }

    public string Positional1(int index, string what) =>
        index < Positional.Count ? Positional[index] : throw new UsageException($"{Command} needs {what}.");

    /// <summary>Throws if an option was given that the command never asked about (typos must not pass silently).</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"{Command} does not take {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}

/// <summary>A command-line mistake: printed with the usage, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
