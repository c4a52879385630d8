namespace VectorDb.Datasets;

/// <summary>
/// A benchmark folder in the layout of ../shared/datasets: base.fvecs, query.fvecs and groundtruth.ivecs
/// (exact top-100 ids per query, 0-based). The metric comes from the folder name suffix
/// (-angular = inner product on unit vectors, -euclidean = L2) unless the caller says otherwise.
/// </summary>
public sealed class Dataset
{
    private Dataset(string name, VectorSet baseVectors, VectorSet queries, int[][] groundTruth, Metric metric)
    {
        Name = name;
        Base = baseVectors;
        Queries = queries;
        TrueNeighbours = groundTruth;
        Metric = metric;
    }

    public string Name { get; }

    public VectorSet Base { get; }

    public VectorSet Queries { get; }

    /// <summary>Exact neighbour ids per query, best first.</summary>
    public int[][] TrueNeighbours { get; }

    public Metric Metric { get; }

    public int Dimension => Base.Dimension;

    /// <summary>Loads a dataset folder. <paramref name="maxQueries"/> limits the queries (and their ground truth).</summary>
    public static Dataset Load(string folder, int maxQueries = int.MaxValue, Metric? metric = null)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"dataset folder '{folder}' does not exist (expected base.fvecs, query.fvecs, groundtruth.ivecs).");
        }
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        var baseVectors = Texmex.ReadFvecs(Path.Combine(folder, "base.fvecs"));
        var queries = Texmex.ReadFvecs(Path.Combine(folder, "query.fvecs"), maxQueries);
        var (_, truth) = Texmex.ReadIvecs(Path.Combine(folder, "groundtruth.ivecs"), queries.Count);
        if (baseVectors.Dimension != queries.Dimension)
        {
            throw new InvalidDataException($"{folder}: base dimension {baseVectors.Dimension} differs from query dimension {queries.Dimension}.");
        }
        if (truth.Length != queries.Count)
        {
            throw new InvalidDataException($"{folder}: groundtruth.ivecs has {truth.Length} rows for {queries.Count} queries.");
        }
        return new Dataset(name, baseVectors, queries, truth, metric ?? MetricFromName(name));
    }

    /// <summary>-euclidean / -l2 folders use L2; everything else (-angular, -ip) inner product.</summary>
    public static Metric MetricFromName(string name) =>
        name.Contains("euclidean", StringComparison.OrdinalIgnoreCase) || name.EndsWith("-l2", StringComparison.OrdinalIgnoreCase)
            ? Metric.L2
            : Metric.InnerProduct;

    /// <summary>
    /// Finds a dataset folder: <paramref name="name"/> under a datasets/ or shared/datasets/ folder found walking up
    /// from <paramref name="startDirectory"/> (if given), the current directory and the app base directory. Null if
    /// absent.
    /// </summary>
    public static string? Locate(string name, string? startDirectory = null)
    {
        string[] starts = startDirectory is null
            ? [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]
            : [startDirectory, Directory.GetCurrentDirectory(), AppContext.BaseDirectory];
        foreach (string start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (string candidate in new[]
                {
                    Path.Combine(dir.FullName, "datasets", name),
                    Path.Combine(dir.FullName, "shared", "datasets", name),
                })
                {
                    if (File.Exists(Path.Combine(candidate, "base.fvecs")))
                    {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }
}
