using System.Globalization;
using VectorDb.Benchmarks.ScanAb;

// Flat 4-bit scan (ScanAbSide), one query per call and four per call. Each query is timed R times and its least time
// kept: on a shared machine the least of several tries estimates the cost without the other tenants' preemptions,
// which a mean or a QPS over wall time does not. Prints one JSON line.
// usage: ScanAb <dataset dir> <queries> <repetitions> <format: 1|2> <label>
int queries = int.Parse(args[1], CultureInfo.InvariantCulture), repetitions = int.Parse(args[2], CultureInfo.InvariantCulture);
int format = int.Parse(args[3], CultureInfo.InvariantCulture);
ScanAbSide.Prepare(args[0], format);
double one = 0, four = 0;
for (int q = 0; q < queries; q++)
{
    double bestOne = double.MaxValue, bestFour = double.MaxValue;
    for (int r = 0; r < repetitions; r++)
    {
        bestOne = Math.Min(bestOne, ScanAbSide.One(q));
        bestFour = Math.Min(bestFour, ScanAbSide.Four(q));
    }
    one += bestOne;
    four += bestFour;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"label\":\"{args[4]}\",\"format\":{format},\"queries\":{queries},\"repetitions\":{repetitions},\"one_query_us\":{one / queries:F1},\"four_per_call_us\":{four / queries:F1},\"one_query_qps\":{1e6 * queries / one:F0},\"four_per_call_qps\":{4e6 * queries / four:F0},\"load\":\"{File.ReadAllText("/proc/loadavg").Split(' ')[0]}\"}}"));
