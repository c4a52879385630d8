using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using VectorDb.Tests.Support;

namespace VectorDb.Server.Tests.Samples;

/// <summary>Issue 15 point 7 (and point 2 for package users): the packages the repository packs carry one version,
/// descriptions, a readme, their XML docs, the Apache-2.0 licence, no invented repository address, and a pdb with
/// every source file inside it; and a fresh application outside the repository restores them from a
/// local folder (no other feed: the machine's NuGet cache serves as a read-only folder of third-party packages) and
/// compiles and runs the samples' code against them, `.ToListAsync()` included.</summary>
[Collection(PackingCollection.Name)]
public sealed class PackageConsumerTests
{
    private static readonly string[] s_packages =
        ["VectorDb.Vocabulary", "VectorDb.Index", "VectorDb.Storage", "VectorDb.Engine", "VectorDb.Contracts", "VectorDb.Client", "VectorDb.VectorData", "VectorDb.Cli"];

    [Fact]
    public async Task Packages_RestoreFromALocalFolder_IntoAFreshApp_ThatRunsTheSamples()
    {
        using var work = new TempDirectory("vectordb-consumer");
        string feed = Path.Combine(work.Path, "feed");
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work.Path, "packages") };
        string cache = (await ProgramRuns.RunToSuccessAsync("dotnet", work.Path, new Dictionary<string, string>(), "nuget", "locals", "global-packages", "--list")).Trim()["global-packages:".Length..].Trim();
        await ProgramRuns.RunToSuccessAsync("dotnet", work.Path, environment, "pack", RepositoryFiles.PathOf("VectorDb.sln"), "-c", "Release", "--no-build", "-o", feed);

        string version = ExpectedVersion();
        Assert.Equal(s_packages.Select(p => $"{p}.{version}.nupkg").Order(), Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order());
        foreach (string package in s_packages)
        {
            var nuspec = Nuspec(Path.Combine(feed, $"{package}.{version}.nupkg"), out var entries);
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal(version, metadata.Element(ns + "version")!.Value);
            Assert.StartsWith(package == "VectorDb.Client" ? ".NET client" : package == "VectorDb.Cli" ? "The VectorDb command line" : package == "VectorDb.VectorData" ? "Microsoft.Extensions.VectorData" : "VectorDb",
                metadata.Element(ns + "description")!.Value, StringComparison.Ordinal);
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
            Assert.Contains("README.md", entries);
            var license = metadata.Element(ns + "license")!;
            Assert.Equal(("expression", "Apache-2.0"), (license.Attribute("type")!.Value, license.Value));
            // No invented address: without -p:VectorDbRepositoryUrl the packages name no project or repository URL.
            Assert.Null(metadata.Element(ns + "projectUrl"));
            Assert.True(string.IsNullOrEmpty(metadata.Element(ns + "repository")?.Attribute("url")?.Value));
            if (package != "VectorDb.Cli")
            {
                Assert.Contains($"lib/net10.0/{package}.xml", entries); // XML docs for IntelliSense
                AssertPdbEmbedsEverySource(Path.Combine(feed, $"{package}.{version}.nupkg"), $"lib/net10.0/{package}.dll");
            }
            if (package == "VectorDb.Storage")
            {
                var linqAsync = metadata.Descendants(ns + "dependency").Single(d => d.Attribute("id")!.Value == "System.Linq.Async");
                Assert.Equal("7.0.1", linqAsync.Attribute("version")!.Value);
            }
        }

        string app = Path.Combine(work.Path, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="vectordb" value="{feed}" />
                <add key="machine-cache" value="{cache}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="VectorDb.VectorData" Version="{version}" />
                <PackageReference Include="VectorDb.Client" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        foreach (string source in Directory.GetFiles(RepositoryFiles.PathOf("samples/VectorDb.Samples"), "*.cs"))
        {
            File.Copy(source, Path.Combine(app, Path.GetFileName(source)));
        }
        await ProgramRuns.RunToSuccessAsync("dotnet", app, environment, "build", "-c", "Release");
        string dll = Path.Combine(app, "bin", "Release", "net10.0", "App.dll");
        Assert.Matches(@"^mevd: 1 0\.9\d\d\s+mevd: 1 0\.9\d\d\s*$", await ProgramRuns.RunToSuccessAsync("dotnet", app, environment, dll, "mevd"));
        Assert.StartsWith("embedded: 1 ", await ProgramRuns.RunToSuccessAsync("dotnet", app, environment, dll, "embedded"), StringComparison.Ordinal);
    }

    /// <summary>The dll carries its portable pdb (embedded), and that pdb carries the text of every C# document it
    /// names (EmbedAllSources): a debugger steps into the package's code with nothing but the package.</summary>
    private static void AssertPdbEmbedsEverySource(string nupkg, string dllEntry)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        using var dll = new MemoryStream();
        using (var entry = zip.GetEntry(dllEntry)!.Open())
        {
            entry.CopyTo(dll);
        }
        dll.Position = 0;
        using var pe = new PEReader(dll);
        var embedded = pe.ReadDebugDirectory().Single(d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
        using var provider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded);
        var pdb = provider.GetMetadataReader();
        var embeddedSource = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE"); // Portable PDB's EmbeddedSource kind
        var withSource = pdb.CustomDebugInformation.Select(pdb.GetCustomDebugInformation)
            .Where(c => pdb.GetGuid(c.Kind) == embeddedSource && c.Parent.Kind == HandleKind.Document)
            .Select(c => (DocumentHandle)c.Parent).ToHashSet();
        var csharp = pdb.Documents.Where(d => pdb.GetString(pdb.GetDocument(d).Name).EndsWith(".cs", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(csharp);
        Assert.All(csharp, d => Assert.True(withSource.Contains(d), $"{dllEntry}: {pdb.GetString(pdb.GetDocument(d).Name)} has no embedded source"));
    }

    /// <summary>The Version property of Directory.Build.props, the one place it is set.</summary>
    private static string ExpectedVersion() =>
        XDocument.Load(RepositoryFiles.PathOf("Directory.Build.props")).Descendants("Version").Single().Value;

    private static XDocument Nuspec(string nupkg, out HashSet<string> entries)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        entries = [.. zip.Entries.Select(e => e.FullName)];
        using var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }
}
