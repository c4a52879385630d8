using System.Diagnostics;

namespace VectorDb.Harness.Report;

/// <summary>A one-line progress bar on stderr, redrawn at most every 200 ms (stdout stays clean for tables).</summary>
internal sealed class ProgressBar
{
    private const int Width = 30;
    private readonly string _label;
    private readonly long _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -1000;

    public ProgressBar(string label, long total)
    {
        _label = label;
        _total = Math.Max(1, total);
    }

    public void Report(long done)
    {
        long now = _clock.ElapsedMilliseconds;
        if (now - _lastDrawMs < 200 && done < _total)
        {
            return;
        }
        _lastDrawMs = now;
        double fraction = Math.Clamp((double)done / _total, 0, 1);
        int filled = (int)(fraction * Width);
        Console.Error.Write($"\r{_label,-28} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0} {now / 1000.0,6:F1}s");
    }

    public void Done()
    {
        Report(_total);
        Console.Error.WriteLine();
    }
}
