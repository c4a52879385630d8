using System.Buffers.Binary;
using System.Text;
using VectorDb.Storage.Io;
using VectorDb.Storage.Records;

namespace VectorDb.Storage.Tests;

/// <summary>
/// Damages the two checksummed JSON files of a closed collection (<c>manifest.vdb</c>, <c>logs.vdb</c>): flipped
/// bytes, truncation, and well-formed envelopes (correct length and CRC-32C) around JSON that is invalid or does
/// not describe the file's content. Every case must refuse the open with <see cref="StorageCorruptionException"/>
/// naming the damaged file, never a raw <see cref="System.Text.Json.JsonException"/> or a later, unrelated failure.
/// </summary>
public sealed class MetadataFileCorruptionTests
{
    public static TheoryData<string> Files => new() { ManifestFile.FileName, LogLayoutFile.FileName };

    private static async Task<string> CreateCollection(string root, string file)
    {
        var manifest = TestData.SmallManifest();
        using (var store = CollectionCatalogue.Open(root, TestData.SmallOptions))
        await using (var collection = store.CreateCollection("c", manifest))
            await collection.UpsertAsync(Enumerable.Range(0, 20).Select(i => TestData.Point(manifest, (ulong)i, 1, 8)).ToArray());
        return Path.Combine(root, "c", file);
    }

    private static StorageCorruptionException OpenFails(string root)
    {
        using var store = CollectionCatalogue.Open(root, TestData.SmallOptions);
        return Assert.Throws<StorageCorruptionException>(() => store.OpenCollection("c").Dispose());
    }

    // Both files (as written since 2026-12): u64 magic | u32 envelope version | i32 JSON length | JSON | u32 CRC-32C.
    private const int Header = 16;

    /// <summary>The envelopes are baked into every collection on disk: pin them to their documented layout
    /// (version 1 files are pinned by <see cref="CollectionIdentityTests"/>, which reads them).</summary>
    [Theory]
    [InlineData("manifest.vdb", "VDBMANIF", "Dimension")]
    [InlineData("logs.vdb", "VDBLOGS2", "SegmentBits")]
    public async Task Envelope_KeepsItsDocumentedLayout(string file, string magic, string property)
    {
        const int headerBytes = 16;
        using var dir = new TestDirectory("json-envelope");
        var path = await CreateCollection(dir.Path, file);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(magic, Encoding.ASCII.GetString(bytes, 0, 8));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8))); // envelope version
        int jsonLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(headerBytes - 4));
        Assert.Equal(bytes.Length, headerBytes + jsonLength + 4);
        using var json = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(headerBytes, jsonLength));
        Assert.Equal(System.Text.Json.JsonValueKind.Object, json.RootElement.ValueKind);
        Assert.True(json.RootElement.TryGetProperty(property, out _));
        // Both carry the collection's identity, the same 32 hex digits.
        string id = file == ManifestFile.FileName
            ? json.RootElement.GetProperty("CollectionId").GetString()!
            : json.RootElement.GetProperty("Identity").GetProperty("CollectionId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(^4)));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task FlippedBytes_RefuseToOpen(string file)
    {
        using var dir = new TestDirectory("corrupt-json-flip");
        var path = await CreateCollection(dir.Path, file);
        var pristine = File.ReadAllBytes(path);
        int header = Header;
        foreach (int offset in new[] { 0, header - 3, header + 2, pristine.Length - 8, pristine.Length - 1 })
        {
            var damaged = (byte[])pristine.Clone();
            damaged[offset] ^= 0x5A;
            File.WriteAllBytes(path, damaged);
            var error = OpenFails(dir.Path);
            Assert.Equal(path, error.FilePath);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task TruncatedFile_RefusesToOpen(string file)
    {
        using var dir = new TestDirectory("corrupt-json-trunc");
        var path = await CreateCollection(dir.Path, file);
        var pristine = File.ReadAllBytes(path);
        foreach (int length in new[] { 0, 5, Header, pristine.Length / 2, pristine.Length - 1 })
        {
            File.WriteAllBytes(path, pristine.AsSpan(0, length).ToArray());
            var error = OpenFails(dir.Path);
            Assert.Equal(path, error.FilePath);
            Assert.Contains("truncated", error.Problem);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task InvalidJsonInAValidEnvelope_RefusesToOpen(string file)
    {
        using var dir = new TestDirectory("corrupt-json-body");
        var path = await CreateCollection(dir.Path, file);
        var pristine = File.ReadAllBytes(path);
        string json = Encoding.UTF8.GetString(pristine.AsSpan(Header, pristine.Length - Header - 4));
        foreach (var body in new[]
                 {
                     json[..(json.Length / 2)],                 // cut off mid-object
                     json.Replace(":", ";"),                    // not JSON at all
                     "[1, 2, 3]",                               // JSON of the wrong shape
                     "{\"Dimension\": \"eight\", \"CodesPageBits\": \"x\"}", // wrong value types
                     "null",
                 })
        {
            File.WriteAllBytes(path, Rewrap(pristine, Header, body));
            var error = OpenFails(dir.Path);
            Assert.Equal(path, error.FilePath);
            Assert.Contains("JSON", error.Problem);
        }
    }

    [Theory]
    [InlineData("{}")]                                                            // every size zero
    [InlineData("{\"CodesPageBits\": 18, \"BlobPageBits\": 20, \"SegmentBits\": 19}")] // segment smaller than a page
    [InlineData("{\"CodesPageBits\": 64, \"BlobPageBits\": 20, \"SegmentBits\": 26}")] // page larger than 1 GiB
    public async Task LayoutOutOfRange_RefusesToOpen(string body)
    {
        using var dir = new TestDirectory("corrupt-layout-range");
        var path = await CreateCollection(dir.Path, LogLayoutFile.FileName);
        File.WriteAllBytes(path, Rewrap(File.ReadAllBytes(path), Header, body));
        var error = OpenFails(dir.Path);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("out of range", error.Problem);
    }

    [Fact]
    public async Task Salvage_ReportsADamagedLayoutAsCorruption()
    {
        using var dir = new TestDirectory("corrupt-layout-salvage");
        var path = await CreateCollection(dir.Path, LogLayoutFile.FileName);
        var pristine = File.ReadAllBytes(path);
        File.WriteAllBytes(path, Rewrap(pristine, Header, "{\"CodesPageBits\": 18,"));
        using var store = CollectionCatalogue.Open(dir.Path, TestData.SmallOptions);
        var error = await Assert.ThrowsAsync<StorageCorruptionException>(() => CollectionSalvage.SalvageAsync(store, "c", "restored"));
        Assert.Equal(path, error.FilePath);
    }

    /// <summary>The file's own header (magic, version) around a new JSON body, with a correct length and CRC-32C.</summary>
    private static byte[] Rewrap(byte[] pristine, int headerBytes, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[headerBytes + body.Length + 4];
        pristine.AsSpan(0, headerBytes).CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(headerBytes - 4), body.Length);
        body.CopyTo(bytes, headerBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(^4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }
}
