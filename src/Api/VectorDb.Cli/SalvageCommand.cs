namespace VectorDb.Cli;

/// <summary>
/// <c>vectordb salvage &lt;name&gt; --data-dir &lt;dir&gt; [--into &lt;new-name&gt;] [--drop-damaged]</c>: the operator's
/// repair of a collection the server reports as damaged. Runs on the data directory itself, not through a server,
/// and must run while no server uses that directory: it copies every intact point (both checksums verified) into a
/// new collection (default name <c>&lt;name&gt;-salvaged</c>, same configuration), prints what was lost, and with
/// <c>--drop-damaged</c> then deletes the damaged collection. The next server start serves the salvaged copy.
/// </summary>
internal static class SalvageCommand
{
    public static async Task<int> RunAsync(CliArgs args)
    {
        string name = args.Positional1(0, "the damaged collection's name");
        string dataDirectory = args.Required("data-dir");
        string target = args.Optional("into") ?? name + "-salvaged";
        bool drop = args.Flag("drop-damaged");
        args.RejectUnknown();
        if (!Directory.Exists(Path.Combine(dataDirectory, name)))
        {
            throw new UsageException($"there is no collection '{name}' in '{dataDirectory}'.");
        }
        var report = await CollectionRepair.SalvageAsync(dataDirectory, name, target);
        Console.WriteLine($"salvaged {name} into {target}: {report.PointsRecovered} points recovered, {report.PointsLost.Count} lost");
        foreach (var (file, offset, length) in report.DamagedRanges)
        {
            Console.WriteLine($"  damaged: {file} bytes {offset}..{offset + length}");
        }
        if (report.PointsLost.Count > 0)
        {
            Console.WriteLine($"  lost ids (damaged originals): {string.Join(", ", report.PointsLost.Take(20))}{(report.PointsLost.Count > 20 ? ", ..." : "")}");
        }
        if (report.UsedOlderCommitSlot)
        {
            Console.WriteLine("  warning: a newer commit slot was damaged; writes acknowledged after the commit used may be missing.");
        }
        if (drop)
        {
            CollectionRepair.Drop(dataDirectory, name);
            Console.WriteLine($"dropped {name}");
        }
        return 0;
    }
}
