using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using VectorDb.Tests.Support;

namespace VectorDb.Server.Tests.Architecture;

/// <summary>
/// The layer rule of docs/architecture.md, read from the compiled assemblies: every type an assembly uses from
/// another assembly is a TypeRef row in its metadata (signatures, base types, fields, locals' types, the declaring
/// types of called members, generic arguments), so a forbidden assembly among their resolution scopes is a violation,
/// whatever the source file says. Project references alone are not checked (the compiler drops unused ones).
/// </summary>
public class LayerRuleTests
{
    private const string Index = "VectorDb.Index";
    private const string Storage = "VectorDb.Storage";
    private const string Vocabulary = "VectorDb.Vocabulary";

    /// <summary>The one seam where the server names codec types: the exact-scorer hook it hands the engine for GPU
    /// re-scoring (<c>DatabaseOptions.ExactScorerFactory</c>, built by <c>GpuScoring</c> from VectorDb.Gpu).</summary>
    private static readonly string[] s_serverGpuSeam =
        ["VectorDb.Index.Rerank.IExactScorer", "VectorDb.Index.Rerank.OriginalVectorStore"];

    public static TheoryData<string, string[], string[]> Rules => new()
    {
        // Above the engine's waist: the engine's vocabulary and types only.
        { "VectorDb.Server", [Index, Storage], s_serverGpuSeam },
        { "VectorDb.VectorData", [Index, Storage], [] },
        { "VectorDb.Cli", [Index, Storage], [] },
        { "VectorDb.Cluster", [Index, Storage], [] },
        { "VectorDb.Server.Tests", [Index, Storage], s_serverGpuSeam }, // GpuScoringTests checks the seam itself
        // Below it: the codec depends on nothing of ours but the vocabulary, storage on FASTER (and the vocabulary)
        // only, the engine on neither host. The vocabulary (VectorDb.Vocabulary) is allowed everywhere:
        // Vocabulary_ReferencesNothingOfOurs keeps it at the bottom.
        { Index, ["VectorDb.Engine", Storage, "VectorDb.Server", "VectorDb.Gpu"], [] },
        { Storage, ["VectorDb.Engine", Index, "VectorDb.Server", "VectorDb.Cluster"], [] },
        { "VectorDb.Engine", ["VectorDb.Server", "VectorDb.VectorData", "VectorDb.Cli", "VectorDb.Cluster", "VectorDb.Gpu"], [] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Assembly_UsesNoTypeOfALayerItMayNotReference(string assembly, string[] forbidden, string[] allowed)
    {
        var violations = Violations(assembly, forbidden).Where(type => !allowed.Contains(type[(type.IndexOf(' ') + 1)..])).ToList();
        Assert.True(violations.Count == 0,
            $"{assembly} uses types of a layer it may not reference (docs/architecture.md, \"Layers\"):\n  " + string.Join("\n  ", violations));
    }

    [Fact]
    public void Vocabulary_ReferencesNothingOfOurs()
    {
        // The one vocabulary every layer may use must sit below all of them: no reference to any VectorDb assembly
        // (and so no type of one: every type it used from another assembly would resolve through such a reference).
        string path = Path.Combine(AppContext.BaseDirectory, Vocabulary + ".dll");
        Assert.True(File.Exists(path), $"{path} is not in the test's output (reference its project).");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        MetadataReader reader = pe.GetMetadataReader();
        var ours = reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name))
            .Where(name => name.StartsWith("VectorDb", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.True(ours.Count == 0,
            $"{Vocabulary} must reference no VectorDb assembly (docs/architecture.md, \"Layers\"), but references:\n  " + string.Join("\n  ", ours));
        // And it is the assembly the layers' types come from: the checker must see the engine use it.
        Assert.Equal(Vocabulary, typeof(Metric).Assembly.GetName().Name);
    }

    [Fact]
    public void Checker_FindsTheTypesTheEngineUsesFromTheIndexAndStorage()
    {
        // The engine is meant to use both: the checker must see it, or the rules above could never fail.
        var used = Violations("VectorDb.Engine", [Index, Storage]);
        Assert.Contains("VectorDb.Index VectorDb.Index.Search.VectorIndex", used);
        Assert.Contains("VectorDb.Storage VectorDb.Storage.StoredCollection", used);
        // And the public-API check sees the seam's delegate type as built from Index types.
        Assert.True(BelowTheWaist(typeof(DatabaseOptions).GetProperty(nameof(DatabaseOptions.ExactScorerFactory))!.PropertyType));
    }

    [Fact]
    public void ServerSeam_IsStillUsed()
    {
        // An allowance nobody needs any more should go: fail when the seam's types are no longer used.
        var used = Violations("VectorDb.Server", [Index]).Select(type => type[(type.IndexOf(' ') + 1)..]).ToHashSet();
        Assert.All(s_serverGpuSeam, type => Assert.Contains(type, used));
    }

    [Fact]
    public void EnginePublicApi_NamesNoIndexOrStorageType_ButTheGpuSeam()
    {
        // What a host can reach: every public type of the engine and its public members' signatures.
        var leaks = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Type type in typeof(VectorDatabase).Assembly.GetExportedTypes())
        {
            var signatures = new List<(string Where, Type? Type)> { ($"{type} base", type.BaseType) };
            signatures.AddRange(type.GetInterfaces().Select(i => ($"{type} interface", (Type?)i)));
            foreach (MemberInfo member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                string where = $"{type}.{member.Name}";
                switch (member)
                {
                    case PropertyInfo property:
                        signatures.Add((where, property.PropertyType));
                        break;
                    case FieldInfo field:
                        signatures.Add((where, field.FieldType));
                        break;
                    case MethodBase method:
                        signatures.AddRange(method.GetParameters().Select(p => (where, (Type?)p.ParameterType)));
                        signatures.Add((where, (method as MethodInfo)?.ReturnType));
                        break;
                }
            }
            foreach (var (where, signature) in signatures)
            {
                if (signature is not null && BelowTheWaist(signature) && where != "VectorDb.DatabaseOptions.ExactScorerFactory"
                    && where != "VectorDb.DatabaseOptions.set_ExactScorerFactory" && where != "VectorDb.DatabaseOptions.get_ExactScorerFactory")
                {
                    leaks.Add($"{where}: {signature}");
                }
            }
        }
        Assert.True(leaks.Count == 0, "the engine's public API names Index or Storage types:\n  " + string.Join("\n  ", leaks));
    }

    /// <summary>Whether a signature type is, or is built from, a type of the Index or Storage assembly.</summary>
    private static bool BelowTheWaist(Type type)
    {
        while (type.HasElementType)
        {
            type = type.GetElementType()!;
        }
        if (type.Assembly.GetName().Name is Index or Storage)
        {
            return true;
        }
        return type.IsGenericType && type.GetGenericArguments().Any(BelowTheWaist);
    }

    /// <summary>"assembly namespace.type" for every type <paramref name="assembly"/> references from a
    /// <paramref name="forbidden"/> assembly.</summary>
    private static List<string> Violations(string assembly, string[] forbidden)
    {
        // The CLI is built as vectordb.dll in its own output folder (it runs as a child process).
        string path = assembly == "VectorDb.Cli" ? ChildProcesses.CliDll : Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        Assert.True(File.Exists(path), $"{path} is not in the test's output (reference its project).");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        MetadataReader reader = pe.GetMetadataReader();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (TypeReferenceHandle handle in reader.TypeReferences)
        {
            TypeReference type = reader.GetTypeReference(handle);
            if (ScopeAssembly(reader, type) is { } scope && forbidden.Contains(scope))
            {
                found.Add($"{scope} {FullName(reader, type)}");
            }
        }
        return [.. found];
    }

    /// <summary>The assembly a type reference resolves to (nested types: their outermost declaring type's).</summary>
    private static string? ScopeAssembly(MetadataReader reader, TypeReference type)
    {
        EntityHandle scope = type.ResolutionScope;
        while (scope.Kind == HandleKind.TypeReference)
        {
            scope = reader.GetTypeReference((TypeReferenceHandle)scope).ResolutionScope;
        }
        return scope.Kind == HandleKind.AssemblyReference
            ? reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name)
            : null;
    }

    private static string FullName(MetadataReader reader, TypeReference type)
    {
        string name = reader.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return FullName(reader, reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope)) + "+" + name;
        }
        string ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
