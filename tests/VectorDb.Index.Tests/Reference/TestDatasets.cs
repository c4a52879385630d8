using System.Runtime.CompilerServices;
using VectorDb.Datasets;

namespace VectorDb.Index.Tests.Reference;

/// <summary>Real datasets for tests: the slice shipped in the repository's datasets/ folder, found from this source
/// file's location so that tests work wherever the build output goes.</summary>
internal static class TestDatasets
{
    private static readonly Lazy<Dataset> s_glove20k = new(() => Dataset.Load(Locate("glove-100-angular-20k")));

    /// <summary>datasets/glove-100-angular-20k: 20,000 GloVe vectors, 200 queries, exact top-100 (inner product).</summary>
    public static Dataset Glove20k => s_glove20k.Value;

    public static string Locate(string name, [CallerFilePath] string sourceFile = "") =>
        Dataset.Locate(name, Path.GetDirectoryName(sourceFile))
        ?? throw new InvalidOperationException($"dataset '{name}' not found in datasets/ or ../shared/datasets.");
}
