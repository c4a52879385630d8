namespace VectorDb.Harness.Report;

/// <summary>Recall figures against exact ground truth (ids best first).</summary>
internal static class Recall
{
    /// <summary>|returned top 10 ∩ true top 10| / 10, averaged over queries.</summary>
    public static double At10(IReadOnlyList<long[]> found, int[][] truth)
    {
        double total = 0;
        for (int q = 0; q < found.Count; q++)
        {
            var expected = truth[q].Take(10).Select(id => (long)id).ToHashSet();
            total += found[q].Take(10).Count(expected.Contains) / 10.0;
        }
        return total / found.Count;
    }

    /// <summary>Share of queries whose true nearest neighbour is among the first <paramref name="k"/> returned.</summary>
    public static double OneAtK(IReadOnlyList<long[]> found, int[][] truth, int k)
    {
        int hits = 0;
        for (int q = 0; q < found.Count; q++)
        {
            if (found[q].Take(k).Contains(truth[q][0]))
            {
                hits++;
            }
        }
        return (double)hits / found.Count;
    }
}
