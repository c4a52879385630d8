using VectorDb.Datasets;

namespace VectorDb.Tests.Support;

/// <summary>The real 20k GloVe slice shipped in the repository (datasets/glove-100-angular-20k).</summary>
public static class GloveSlice
{
    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "datasets", "glove-100-angular-20k");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new DirectoryNotFoundException("datasets/glove-100-angular-20k not found above the test folder.");
        }
    }

    public static string BasePath => Path.Combine(Folder, "base.fvecs");

    public static string QueryPath => Path.Combine(Folder, "query.fvecs");

    public static VectorSet Base() => Texmex.ReadFvecs(BasePath);

    public static VectorSet Queries(int max = int.MaxValue) => Texmex.ReadFvecs(QueryPath, max);

    public static int[][] TrueNeighbours(int max = int.MaxValue) => Texmex.ReadIvecs(Path.Combine(Folder, "groundtruth.ivecs"), max).Rows;
}
