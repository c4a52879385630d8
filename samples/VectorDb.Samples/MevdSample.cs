using Microsoft.Extensions.VectorData;
using VectorDb;

namespace Samples;

/// <summary>A record class mapped by Microsoft.Extensions.VectorData attributes (docs/api.md, "Microsoft.Extensions.VectorData").</summary>
public sealed class Hotel
{
    [VectorStoreKey]
    public ulong Id { get; set; }

    [VectorStoreData(IsIndexed = true)]
    public string Category { get; set; } = "";

    [VectorStoreData]
    public int Year { get; set; }

    [VectorStoreVector(3)]
    public ReadOnlyMemory<float> Embedding { get; set; }
}

/// <summary>docs/api.md's MEVD snippet: run twice in one process, as an app that opens its store per unit of work does
/// (the store owns the database, so the second open finds the directory free and the first round's records).</summary>
internal static class MevdSample
{
    public static async Task RunAsync()
    {
        for (int round = 1; round <= 2; round++)
        {
            // --8<-- [start:mevd]
            await using var store = await VectorDbVectorStore.OpenAsync("./data");   // disposing it closes the database
            var hotels = store.GetCollection<ulong, Hotel>("hotels");
            await hotels.EnsureCollectionExistsAsync();
            await hotels.UpsertAsync([
                new Hotel { Id = 1, Category = "a", Year = 2004, Embedding = new[] { 1f, 0, 0 } },
                new Hotel { Id = 2, Category = "b", Year = 2010, Embedding = new[] { 0f, 1, 0 } },
            ]);
            var hits = await hotels.SearchAsync(new[] { 1f, 0.1f, 0 }, top: 5,
                new() { Filter = h => h.Category == "a" && h.Year >= 2000 }).ToListAsync();
            foreach (var hit in hits)
                Console.WriteLine($"mevd: {hit.Record.Id} {hit.Score:F3}");
            // --8<-- [end:mevd]
        }
    }
}
