namespace VectorDb.Tests.Support;

/// <summary>Tests that run `dotnet pack` on the repository's projects: one at a time, since two packs of one project
/// write the same obj/ files (its generated .nuspec).</summary>
[CollectionDefinition(Name)]
public sealed class PackingCollection
{
    public const string Name = "dotnet pack";
}
