namespace VectorDb.Tests.Support;

/// <summary>Files of the repository the tests were built from (README.md, docs/, samples/, Dockerfile).</summary>
public static class RepositoryFiles
{
    /// <summary>The folder holding VectorDb.sln, found above the test assembly's folder.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "VectorDb.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new DirectoryNotFoundException("VectorDb.sln not found above the test folder.");
        }
    }

    /// <summary>The full path of a repository file given relative to the root with '/' separators.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));
}
