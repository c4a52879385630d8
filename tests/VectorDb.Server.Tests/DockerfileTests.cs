using System.Text.RegularExpressions;
using System.Xml.Linq;
using VectorDb.Tests.Support;

namespace VectorDb.Server.Tests;

/// <summary>Issue 15 point 1: there is no Docker daemon here, so the image's build stage is proven by CI running the
/// same script (build/publish-server.sh) on the same files (.ci/docker-context.sh: a git export filtered by
/// .dockerignore). These tests pin that the Dockerfile, .dockerignore, that script and CI agree.</summary>
public sealed partial class DockerfileTests
{
    private static string[] BuildStage()
    {
        var lines = RepositoryFiles.Read("Dockerfile").Split('\n').Select(l => l.Trim()).ToArray();
        int start = Array.FindIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal) && l.EndsWith(" AS build", StringComparison.Ordinal));
        Assert.True(start >= 0, "the Dockerfile has no build stage");
        int end = Array.FindIndex(lines, start + 1, l => l.StartsWith("FROM ", StringComparison.Ordinal));
        return [.. lines[(start + 1)..(end < 0 ? lines.Length : end)].Where(l => l.Length > 0 && !l.StartsWith('#'))];
    }

    [Fact]
    public void BuildStage_CopiesTheWholeContext_ThenRunsTheScriptCiRuns()
    {
        Assert.Equal(["WORKDIR /src", "COPY . .", "RUN bash build/publish-server.sh /app"], BuildStage());
        Assert.Contains("COPY --from=build /app .", RepositoryFiles.Read("Dockerfile"), StringComparison.Ordinal);
        string context = RepositoryFiles.Read(".ci/docker-context.sh");
        Assert.Contains("git archive HEAD", context, StringComparison.Ordinal);
        Assert.Contains("bash \"$context/build/publish-server.sh\" \"$context/app\"", context, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^[^#\n]*bash \.ci/docker-context\.sh", RepositoryFiles.Read(".ci/run"));
    }

    [Fact]
    public void Dockerignore_UsesOnlyTheFormsCiApplies()
    {
        foreach (string line in Patterns())
        {
            Assert.True(line == "*" || TopLevelKeep().IsMatch(line) || AnyDepthDrop().IsMatch(line),
                $".dockerignore line '{line}' is not '*', '!<top-level entry>' or '**/<name>': .ci/docker-context.sh would refuse it");
        }
        Assert.Equal("*", Patterns().First());
    }

    [Fact]
    public void Dockerignore_LetsInEverythingTheServerBuildReads()
    {
        var patterns = Patterns();
        var kept = patterns.Where(p => p.StartsWith('!')).Select(p => p[1..]).ToHashSet(StringComparer.Ordinal);
        var dropped = patterns.Where(p => p.StartsWith("**/", StringComparison.Ordinal)).Select(p => p[3..]).ToHashSet(StringComparer.Ordinal);
        string root = RepositoryFiles.Root;
        var needed = new List<string> { "Directory.Build.props", "Directory.Packages.props", ".editorconfig", "global.json", "build/publish-server.sh" };
        needed.AddRange(ProjectClosure(RepositoryFiles.PathOf("src/Api/VectorDb.Server/VectorDb.Server.csproj"))
            .Select(project => Path.GetRelativePath(root, project).Replace('\\', '/')));
        Assert.Contains("src/Gpu/VectorDb.Gpu.csproj", needed); // the project the old Dockerfile forgot (NETSDK1004)
        foreach (string path in needed)
        {
            var parts = path.Split('/');
            Assert.True(kept.Contains(parts[0]), $"{path} is needed by the build but .dockerignore keeps no '!{parts[0]}'");
            Assert.False(parts.Any(dropped.Contains), $"{path} is needed by the build but .dockerignore drops a folder on its path");
        }
        // What must stay out: a local data folder, build outputs.
        Assert.Contains("data", dropped);
        Assert.Contains("bin", dropped);
        Assert.Contains("obj", dropped);
    }

    private static string[] Patterns() =>
        [.. RepositoryFiles.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    /// <summary>The project and every project it references, transitively (full paths).</summary>
    private static HashSet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }
            foreach (var reference in XDocument.Load(current).Descendants("ProjectReference"))
            {
                string include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, include)));
            }
        }
        return seen;
    }

    [GeneratedRegex(@"^![A-Za-z0-9._-]+$")]
    private static partial Regex TopLevelKeep();

    [GeneratedRegex(@"^\*\*/[A-Za-z0-9._-]+$")]
    private static partial Regex AnyDepthDrop();
}
