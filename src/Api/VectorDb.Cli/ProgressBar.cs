namespace VectorDb.Cli;

/// <summary>A one-line progress bar on stderr (redrawn at most 10 times a second; silent when stderr is redirected
/// unless forced), so stdout stays clean for scripts.</summary>
internal sealed class ProgressBar(string label, long total, bool enabled) : IProgress<long>
{
    private const int Width = 30;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _lastDrawMs = -1000;

    public void Report(long value)
    {
        if (!enabled || (_clock.ElapsedMilliseconds - _lastDrawMs < 100 && value < total))
        {
            return;
        }
        _lastDrawMs = _clock.ElapsedMilliseconds;
        double fraction = total > 0 ? Math.Clamp((double)value / total, 0, 1) : 0;
        int filled = (int)(fraction * Width);
        double rate = value / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', Width - filled)}] {value}/{total} {fraction:P0} {rate:F0}/s ");
    }

    public void Done()
    {
        if (enabled)
        {
            Console.Error.WriteLine();
        }
    }
}
