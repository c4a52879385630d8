namespace VectorDb.Cluster.Grains;

/// <summary>Persisted list of clustered collections (what the supervisor watches).</summary>
internal sealed class ClusterCatalogGrain(
    [PersistentState("catalog", ClusterStorage.Name)] IPersistentState<ClusterCatalogState> state) : Grain, IClusterCatalogGrain
{
    public Task<string[]> List() => Task.FromResult(state.State.Collections.ToArray());

    public async Task Add(string collection)
    {
        if (!state.State.Collections.Contains(collection))
        {
            state.State.Collections.Add(collection);
            await state.WriteStateAsync();
        }
    }

    public async Task Remove(string collection)
    {
        if (state.State.Collections.Remove(collection))
        {
            await state.WriteStateAsync();
        }
    }
}

[GenerateSerializer]
internal sealed class ClusterCatalogState
{
    [Id(0)]
    public List<string> Collections { get; set; } = [];
}
