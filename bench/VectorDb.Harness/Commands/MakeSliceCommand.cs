using VectorDb.Datasets;

namespace VectorDb.Harness.Commands;

/// <summary>
/// Cuts a small dataset folder out of a large one: the first N base rows and the first M queries, with exact top-100
/// ground truth recomputed against the slice (the big set's ground truth points into rows the slice lacks).
/// This is how datasets/glove-100-angular-20k was made.
/// </summary>
internal sealed class MakeSliceCommand : ICommand
{
    public string Name => "make-slice";

    public string Summary => "cut a small dataset folder (first N base, first M queries) with exact ground truth";

    public string Usage => """
        usage: make-slice --data <dir> --out <dir> [--base 20000] [--queries 200] [--k 100]
          --data     source folder with base.fvecs, query.fvecs (metric from the folder name)
          --out      folder to write base.fvecs, query.fvecs, groundtruth.ivecs into
          --base     number of base rows to keep (from the start)
          --queries  number of queries to keep (from the start)
          --k        neighbours per query in groundtruth.ivecs
        """;

    public int Run(Args options)
    {
        options.EnsureOnly("data", "out", "base", "queries", "k");
        string source = options.Required("data");
        string output = options.Required("out");
        int baseCount = options.Int("base", 20_000);
        int queryCount = options.Int("queries", 200);
        int k = options.Int("k", 100);

        var baseVectors = Texmex.ReadFvecs(Path.Combine(source, "base.fvecs"), baseCount);
        var queries = Texmex.ReadFvecs(Path.Combine(source, "query.fvecs"), queryCount);
        var metric = Dataset.MetricFromName(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(source))));
        var truth = GroundTruth.Compute(baseVectors, queries, k, metric);

        Directory.CreateDirectory(output);
        Texmex.WriteFvecs(Path.Combine(output, "base.fvecs"), baseVectors);
        Texmex.WriteFvecs(Path.Combine(output, "query.fvecs"), queries);
        Texmex.WriteIvecs(Path.Combine(output, "groundtruth.ivecs"), truth);
        Console.WriteLine($"wrote {baseVectors.Count} base, {queries.Count} queries, top-{k} ground truth ({metric}) to {output}");
        return 0;
    }
}
