using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using VectorDb.Storage.Io;
using VectorDb.Storage.Records;

namespace VectorDb.Storage.Tests;

/// <summary>
/// Every metadata file of a collection is bound to its identity: a manifest, log layout or commit slot file copied
/// from another collection (other seed, bits or dimension) is refused at open with a message naming both, instead
/// of serving wrong neighbours or failing in a decoder. Collections written before identities existed (manifest
/// envelope version 1, logs.vdb "DVDBLOS1", commit slots version 1) still open, read and write.
/// </summary>
public sealed class CollectionIdentityTests
{
    public static TheoryData<string> Foreign => new() { "seed", "bits", "dimension", "twin" };

    private static CollectionManifest Variant(string kind) => kind switch
    {
        "seed" => TestData.SmallManifest() with { RotationSeed = 7 },
        "bits" => TestData.SmallManifest() with { Bits = 2, CodeBytesPerVector = 8 },
        "dimension" => TestData.SmallManifest() with { Dimension = 16, CodeBytesPerVector = 20 },
        _ => TestData.SmallManifest(), // same parameters, another collection
    };

    [Theory]
    [MemberData(nameof(Foreign))]
    public async Task ManifestFromAnotherCollection_IsRefusedAtOpen(string kind)
    {
        using var dir = new TestDirectory("identity-manifest");
        await CreateAsync(dir.Path, "a", TestData.SmallManifest());
        await CreateAsync(dir.Path, "b", Variant(kind));
        File.Copy(Path.Combine(dir.Path, "b", ManifestFile.FileName), Path.Combine(dir.Path, "a", ManifestFile.FileName), overwrite: true);
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        var error = Assert.Throws<StorageCorruptionException>(() => store.OpenCollection("a").Dispose());
        Assert.Equal(Path.Combine(dir.Path, "a", ManifestFile.FileName), error.FilePath);
        Assert.Contains("copied from another collection", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageCorruptionException>(() => CollectionSalvage.SalvageAsync(store, "a", "a2"));
        using var b = store.OpenCollection("b"); // the source is untouched
    }

    [Theory]
    [InlineData("logs.vdb")]
    [InlineData("commit.slots")]
    public async Task OtherMetadataFileFromAnotherCollection_IsRefusedAtOpen(string file)
    {
        using var dir = new TestDirectory("identity-file");
        await CreateAsync(dir.Path, "a", TestData.SmallManifest());
        await CreateAsync(dir.Path, "b", TestData.SmallManifest());
        File.Copy(Path.Combine(dir.Path, "b", file), Path.Combine(dir.Path, "a", file), overwrite: true);
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        var error = Assert.Throws<StorageCorruptionException>(() => store.OpenCollection("a").Dispose());
        Assert.Contains("another collection", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version1Collection_OpensReadsAndWrites_AndForeignVersion1ManifestIsRefused()
    {
        using var dir = new TestDirectory("identity-v1");
        var manifest = TestData.SmallManifest();
        var points = await CreateAsync(dir.Path, "old", manifest);
        await CreateAsync(dir.Path, "new", manifest);
        DowngradeToVersion1(Path.Combine(dir.Path, "old"));
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using var old = store.OpenCollection("old", manifest);
            Assert.Null(old.Manifest.CollectionId);
            Assert.Equal(points.Length, old.Count);
            Assert.Equal(points[3].Original.ToArray(), (await old.GetAsync(points[3].Id))!.Original);
            await old.UpsertAsync(new[] { TestData.Point(manifest, 1000, 1, 5) }); // writes version 1 slots
        }
        using (var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions))
        {
            await using (var old = store.OpenCollection("old", manifest))
                Assert.Equal(points.Length + 1, old.Count);
            // A version 1 (identity-less) manifest in a collection that has an identity is refused too.
            File.Copy(Path.Combine(dir.Path, "old", ManifestFile.FileName), Path.Combine(dir.Path, "new", ManifestFile.FileName), overwrite: true);
            var error = Assert.Throws<StorageCorruptionException>(() => store.OpenCollection("new").Dispose());
            Assert.Contains("version 1", error.Message, StringComparison.Ordinal);
        }
    }

    private static async Task<PointWrite[]> CreateAsync(string root, string name, CollectionManifest manifest)
    {
        var points = Enumerable.Range(1, 30).Select(i => TestData.Point(manifest, (ulong)i, 1, 16)).ToArray();
        using var store = CollectionCatalogue.Open(root, TestData.SmallOptions);
        await using var collection = store.CreateCollection(name, manifest);
        await collection.UpsertAsync(points);
        return points;
    }

    /// <summary>Rewrites a closed collection's metadata files in the formats written before identities existed:
    /// manifest envelope version 1 without CollectionId, logs.vdb with the "DVDBLOS1" magic and no version field or
    /// identity, commit slots version 1 (no identity bytes).</summary>
    private static void DowngradeToVersion1(string directory)
    {
        var manifestPath = Path.Combine(directory, ManifestFile.FileName);
        var manifest = JsonNode.Parse(JsonBody(File.ReadAllBytes(manifestPath), 16))!.AsObject();
        manifest.Remove("CollectionId");
        File.WriteAllBytes(manifestPath, Envelope("VDBMANIF", version: 1, manifest.ToJsonString()));
        var layoutPath = Path.Combine(directory, LogLayoutFile.FileName);
        var layout = JsonNode.Parse(JsonBody(File.ReadAllBytes(layoutPath), 16))!.AsObject();
        layout.Remove("Identity");
        File.WriteAllBytes(layoutPath, Envelope("DVDBLOS1", version: null, layout.ToJsonString()));
        var slotsPath = Path.Combine(directory, CommitSlotFile.FileName);
        var slots = File.ReadAllBytes(slotsPath);
        for (int i = 0; i < 2; i++)
        {
            var slot = slots.AsSpan(i * 4096, 4096);
            if (!slot.ContainsAnyExcept((byte)0))
                continue;
            Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(slot[4..]));
            int meta = BinaryPrimitives.ReadInt32LittleEndian(slot[16..]) + BinaryPrimitives.ReadInt32LittleEndian(slot[20..]);
            var v1 = new byte[4096];
            slot[..24].CopyTo(v1);
            BinaryPrimitives.WriteUInt16LittleEndian(v1.AsSpan(4), 1);
            slot.Slice(40, meta).CopyTo(v1.AsSpan(24));
            BinaryPrimitives.WriteUInt32LittleEndian(v1.AsSpan(24 + meta), Crc32C.Compute(v1.AsSpan(0, 24 + meta)));
            v1.CopyTo(slot);
        }
        File.WriteAllBytes(slotsPath, slots);
    }

    private static string JsonBody(byte[] file, int header) =>
        Encoding.UTF8.GetString(file, header, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(header - 4)));

    private static byte[] Envelope(string magic, uint? version, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        int header = version is null ? 12 : 16;
        var bytes = new byte[header + body.Length + 4];
        Encoding.ASCII.GetBytes(magic).CopyTo(bytes, 0);
        if (version is { } v)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), v);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(header - 4), body.Length);
        body.CopyTo(bytes, header);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(^4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }
}
