using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using VectorDb.Tests.Support;
using VectorDb.Datasets;
using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb.Engine.Tests;

/// <summary>
/// Issue 11: collections written before centred codes (code format 1) still open and answer as before. The fixture,
/// Fixtures/format-v1 (see its README.md), is a real database directory written by the build of commit 3962611
/// (CodeLayout.LayoutVersion = 1): three collections of 300 GloVe rows with deletes and overwrites in their logs,
/// and expected.json, the answers that build gave (ids, scores as float bits, re-rank counts) to 20 queries,
/// k = 10, with the default re-rank and with <see cref="Reranking.None"/>, before and after more writes.
/// Every test works on a copy of the fixture in a temporary directory, never on the committed files.
/// <para>Scores are compared bit for bit. The one exception: the old build's exact re-scores (float32 sums of the
/// originals) differ by up to ~6e-7 relative between SIMD levels (measured with the old build at
/// VECTORDB_MAX_SIMD=256 and scalar; its code estimates do not differ at all), so when this process runs at another
/// level than the one that wrote expected.json ("simdLevel"), re-ranked scores are compared to 2e-6 relative.
/// Ids, order and re-rank counts are always compared exactly.</para>
/// </summary>
public sealed class FormatV1CompatibilityTests
{
    private static readonly Lazy<JsonObject> s_expected = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(FixtureFolder(), "expected.json")))!.AsObject());

    private static readonly Lazy<VectorSet> s_base = new(GloveSlice.Base);

    private static JsonObject Expected => s_expected.Value;

    private static JsonObject Collections => Expected["collections"]!.AsObject();

    private static IEnumerable<string> CollectionNames => Collections.Select(c => c.Key);

    [Fact]
    public async Task V1Fixture_Opens_AsFormat1_WithItsConfigCountsIdsAndPayloads()
    {
        using var dir = new TempDirectory("vectordb-v1");
        string db = CopyFixture(dir);
        await using var database = await OpenAsync(db);
        Assert.Equal(CollectionNames.Order(StringComparer.Ordinal), database.ListCollections());
        foreach (string name in CollectionNames)
        {
            var spec = Collections[name]!.AsObject();
            var c = database.GetCollection(name);
            Assert.Equal(CodeLayout.UncentredLayoutVersion, c.Config.CodeFormat);
            Assert.Equal(ExpectedConfig(spec), c.Config);
            Assert.Equal((long)spec["count"]!, c.Count);
            await TrainIfIvfAsync(c); // ipivf trains in the background on open; wait for its lists
            Assert.Equal((int)spec["ivfLists"]!, c.GetInfo().IvfLists);

            var points = spec["points"]!.AsArray();
            var ids = points.Select(p => (ulong)p!["id"]!).ToArray();
            Assert.Equal(ids, c.ListIds().Select(id => (ulong)id));
            foreach (ulong deleted in spec["deleted"]!.AsArray().Select(x => (ulong)x!))
            {
                Assert.DoesNotContain(deleted, ids);
            }
            var got = await c.GetAsync([.. ids.Select(id => (PointId)id)], withPayload: true, withVector: true);
            for (int i = 0; i < ids.Length; i++)
            {
                var expectedPayload = points[i]!["payload"] as JsonObject;
                Assert.True(JsonNode.DeepEquals(expectedPayload, got[i].Payload),
                    $"{name} id {ids[i]}: payload {got[i].Payload?.ToJsonString() ?? "null"}, expected {expectedPayload?.ToJsonString() ?? "null"}");
                if (c.Config.Originals != OriginalsFormat.None)
                {
                    // The originals as written (overwritten ids hold their new row), float16 ones widened back.
                    Assert.Equal(StoredOriginal(c.Config.Originals, (int)points[i]!["row"]!), got[i].Vector);
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // originals read from storage for re-ranking
    public async Task V1Fixture_AnswersExactlyAsTheOldBuild(bool originalsOnDisk)
    {
        using var dir = new TempDirectory("vectordb-v1");
        string db = CopyFixture(dir);
        await using var database = await OpenAsync(db, originalsOnDisk);
        foreach (string name in CollectionNames)
        {
            var c = database.GetCollection(name);
            var spec = Collections[name]!.AsObject();
            await TrainIfIvfAsync(c);
            Assert.Equal(originalsOnDisk && c.Config.Originals != OriginalsFormat.None, c.OriginalsOnDisk);
            await AssertAnswersAsync(name, c, spec["searchDefault"]!.AsArray(), rerank: null);
            await AssertAnswersAsync(name, c, spec["searchRerankNone"]!.AsArray(), Reranking.None);
        }
    }

    [Fact]
    public async Task V1Fixture_ReRankedAndExactSearches_AgreeWithBruteForce()
    {
        using var dir = new TempDirectory("vectordb-v1");
        string db = CopyFixture(dir);
        await using var database = await OpenAsync(db);
        var queries = Queries();
        foreach (string name in CollectionNames)
        {
            var c = database.GetCollection(name);
            if (c.Config.Originals == OriginalsFormat.None)
            {
                continue; // nothing to re-rank with: covered by the old build's answers alone
            }
            await TrainIfIvfAsync(c);
            var spec = Collections[name]!.AsObject();
            var live = spec["points"]!.AsArray()
                .Select(p => ((ulong)p!["id"]!, StoredOriginal(c.Config.Originals, (int)p["row"]!)))
                .ToArray();
            var vectors = live.ToDictionary(p => p.Item1, p => p.Item2);
            foreach (var query in queries)
            {
                var truth = TestVectors.BruteForce(c.Config.Metric, query, live, 10);
                var exact = await c.SearchAsync(new SearchRequest(query, 10) { Exact = true });
                Assert.Equal(truth.Select(t => t.Id), exact.Select(h => (ulong)h.Id));
                var reranked = await c.SearchAsync(new SearchRequest(query, 10));
                foreach (var hit in reranked.Concat(exact))
                {
                    double oracle = TestVectors.Score(c.Config.Metric, query, vectors[(ulong)hit.Id]);
                    Assert.True(Math.Abs(oracle - hit.Score) <= 1e-5 * Math.Max(1, Math.Abs(oracle)),
                        $"{name} id {hit.Id}: engine {hit.Score}, oracle {oracle}");
                }
                // On these 295 points the default re-rank finds the exact top 10 (the old build's answers did too).
                Assert.Equal(truth.Select(t => t.Id), reranked.Select(h => (ulong)h.Id));
            }
        }
    }

    [Fact]
    public async Task V1Collection_KeepsWritingFormat1_AndAnswersAsTheOldBuildAfterWritesAndReopen()
    {
        using var dir = new TempDirectory("vectordb-v1");
        string db = CopyFixture(dir);
        var baseVectors = s_base.Value;
        await using (var database = await OpenAsync(db))
        {
            foreach (string name in CollectionNames)
            {
                var c = database.GetCollection(name);
                // The writes the fixture program made to its copy: ids 1000..1009 = base rows 1000..1009 with
                // payload {"new": true}, id 1 overwritten with base row 1010 without payload.
                var more = new List<PointInput>();
                for (int r = 1000; r < 1010; r++)
                {
                    more.Add(new PointInput((ulong)r, baseVectors.Row(r).ToArray(), new JsonObject { ["new"] = true }));
                }
                more.Add(new PointInput(1, baseVectors.Row(1010).ToArray()));
                await c.UpsertAsync(more, wait: true);
                await TrainIfIvfAsync(c);
                var after = Expected["afterUpsert"]![name]!.AsObject();
                Assert.Equal((long)after["count"]!, c.Count);
                await AssertAnswersAsync(name, c, after["searchDefault"]!.AsArray(), rerank: null);
                await AssertAnswersAsync(name, c, after["searchRerankNone"]!.AsArray(), Reranking.None);
            }
        }
        foreach (string name in CollectionNames)
        {
            // A format 1 collection never fixes a centre.
            Assert.False(File.Exists(Path.Combine(db, name, "centre.vdb")), $"{name}: a centre was written");
        }

        await using (var database = await OpenAsync(db))
        {
            foreach (string name in CollectionNames)
            {
                var c = database.GetCollection(name);
                Assert.Equal(CodeLayout.UncentredLayoutVersion, c.Config.CodeFormat);
                await TrainIfIvfAsync(c);
                var reopened = Expected["afterUpsertReopen"]![name]!.AsObject();
                Assert.Equal((long)reopened["count"]!, c.Count);
                await AssertAnswersAsync(name, c, reopened["searchDefault"]!.AsArray(), rerank: null);
                await AssertAnswersAsync(name, c, reopened["searchRerankNone"]!.AsArray(), Reranking.None);

                var got = await c.GetAsync([1000, 1009, 1], withPayload: true, withVector: c.Config.Originals != OriginalsFormat.None);
                Assert.True(JsonNode.DeepEquals(new JsonObject { ["new"] = true }, got[0].Payload));
                Assert.True(JsonNode.DeepEquals(new JsonObject { ["new"] = true }, got[1].Payload));
                Assert.Null(got[2].Payload);
                if (c.Config.Originals != OriginalsFormat.None)
                {
                    Assert.Equal(StoredOriginal(c.Config.Originals, 1000), got[0].Vector);
                    Assert.Equal(StoredOriginal(c.Config.Originals, 1010), got[2].Vector);
                }
                // Each new point is found by its own vector.
                for (int r = 1000; r < 1010; r++)
                {
                    var hits = await c.SearchAsync(new SearchRequest(baseVectors.Row(r).ToArray(), 10) { Rerank = Reranking.None });
                    Assert.Contains((ulong)r, hits.Select(h => h.Id));
                }
            }
        }
    }

    [Fact]
    public async Task ManifestClaimingCodeLayoutVersion3_IsRefused_NamingTheVersion()
    {
        using var dir = new TempDirectory("vectordb-v1");
        string db = CopyFixture(dir);
        string manifestPath = Path.Combine(db, "cos4", "manifest.vdb");
        RewriteManifest(manifestPath, json => json.Replace("\"CodeLayoutVersion\": 1,", "\"CodeLayoutVersion\": 3,", StringComparison.Ordinal));

        // The database opens (the other collections are served); this one is set aside as damaged, and every call on
        // it is refused with the reason: the version it cannot read.
        await using (var opened = await VectorDatabase.OpenAsync(db))
        {
            Assert.Equal(CodeLayout.UncentredLayoutVersion, opened.GetCollection("l2b2").Config.CodeFormat);
            var refused = Assert.Throws<CollectionDamagedException>(() => opened.GetCollection("cos4"));
            Assert.Contains("'cos4'", refused.Message, StringComparison.Ordinal);
            Assert.Contains("code layout version 3", refused.Message, StringComparison.Ordinal);
            Assert.IsType<NotSupportedException>(refused.InnerException);
        }

        // The same envelope rewrite without the change opens: the refusal is the version, not a damaged file.
        RewriteManifest(manifestPath, json => json.Replace("\"CodeLayoutVersion\": 3,", "\"CodeLayoutVersion\": 1,", StringComparison.Ordinal));
        await using var database = await VectorDatabase.OpenAsync(db);
        Assert.Equal(CodeLayout.UncentredLayoutVersion, database.GetCollection("cos4").Config.CodeFormat);
    }

    private static async Task AssertAnswersAsync(string name, VectorCollection c, JsonArray expected, Reranking? rerank)
    {
        var queries = Queries();
        Assert.Equal(queries.Length, expected.Count);
        bool sameSimd = (string?)Expected["simdLevel"] == SimdCapabilities.Best.ToString();
        string mode = rerank?.ToString() ?? "default";
        for (int q = 0; q < queries.Length; q++)
        {
            var request = new SearchRequest(queries[q], (int)Expected["k"]!);
            if (rerank is { } r)
            {
                request = request with { Rerank = r };
            }
            var hits = await c.SearchAsync(request);
            var want = expected[q]!.AsObject();
            var wantIds = want["ids"]!.AsArray().Select(x => (ulong)x!).ToArray();
            var wantBits = want["scoreBits"]!.AsArray().Select(x => (uint)x!).ToArray();
            string where = $"{name}, {mode} re-rank, query {q}";
            Assert.True(wantIds.SequenceEqual(hits.Select(h => (ulong)h.Id)),
                $"{where}: ids [{string.Join(", ", hits.Select(h => h.Id))}], the old build [{string.Join(", ", wantIds)}]");
            Assert.True((int)want["reranked"]! == hits.Reranked, $"{where}: re-ranked {hits.Reranked}, the old build {(int)want["reranked"]!}");
            for (int i = 0; i < wantBits.Length; i++)
            {
                float old = BitConverter.UInt32BitsToSingle(wantBits[i]);
                float now = hits[i].Score;
                bool equal = BitConverter.SingleToUInt32Bits(now) == wantBits[i]
                    || (!sameSimd && hits.Reranked > 0 && Math.Abs(now - old) <= 2e-6 * Math.Abs(old));
                Assert.True(equal, $"{where}, rank {i} (id {wantIds[i]}): score {now:R}, the old build {old:R}");
            }
        }
    }

    private static float[][] Queries() =>
        [.. Expected["queries"]!.AsArray().Select(q => q!.AsArray().Select(x => (float)x!).ToArray())];

    private static CollectionConfig ExpectedConfig(JsonObject spec) => new(
        Dimension: Expected["queries"]![0]!.AsArray().Count,
        Metric: Enum.Parse<Metric>((string)spec["metric"]!),
        Scheme: QuantizerSchemes.Parse((string)spec["scheme"]!),
        Bits: (int)spec["bits"]!,
        Originals: Enum.Parse<OriginalsFormat>((string)spec["originals"]!),
        Index: Enum.Parse<IndexLayout>((string)spec["index"]!),
        NList: (int)spec["nlist"]!)
    {
        CodeFormat = CodeLayout.UncentredLayoutVersion,
    };

    /// <summary>Base row <paramref name="row"/> of the GloVe slice as the collection keeps it.</summary>
    private static float[] StoredOriginal(OriginalsFormat format, int row)
    {
        var vector = s_base.Value.Row(row).ToArray();
        if (format == OriginalsFormat.Float16)
        {
            for (int j = 0; j < vector.Length; j++)
            {
                vector[j] = (float)(Half)vector[j];
            }
        }
        return vector;
    }

    private static async Task TrainIfIvfAsync(VectorCollection c)
    {
        if (c.Config.Index == IndexLayout.Ivf)
        {
            await c.TrainIndexAsync();
            Assert.Equal(c.Config.NList, c.GetInfo().IvfLists);
        }
    }

    private static Task<VectorDatabase> OpenAsync(string path, bool originalsOnDisk = false) =>
        VectorDatabase.OpenAsync(path, new DatabaseOptions
        {
            IvfTrainingThreshold = (int)Expected["ivfTrainingThreshold"]!,
            OriginalsMemoryBytes = originalsOnDisk ? 0 : 1L << 30,
        });

    [Fact]
    public async Task V1Collection_RefusesUuidIds_KeepsTakingNumericOnes()
    {
        using var dir = new TempDirectory("vectordb-v1");
        string db = CopyFixture(dir);
        await using var database = await OpenAsync(db);
        var c = database.GetCollection("l2b2");
        long before = c.Count;
        var vector = new float[c.Config.Dimension];
        vector[0] = 1;
        var error = await Assert.ThrowsAsync<ArgumentException>(() => c.UpsertAsync([new PointInput(1_000_000UL, vector), new PointInput(Guid.NewGuid(), vector)]));
        Assert.Contains("record layout 1", error.Message);
        Assert.Equal(before, c.Count);
        await c.UpsertAsync([new PointInput(1_000_000UL, vector)]);
        Assert.Equal(before + 1, c.Count);
    }

    /// <summary>A copy of the fixture's database directory in <paramref name="dir"/>.</summary>
    private static string CopyFixture(TempDirectory dir)
    {
        string target = Path.Combine(dir.Path, "db");
        CopyDirectory(Path.Combine(FixtureFolder(), "db"), target);
        return target;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (string sub in Directory.GetDirectories(from))
        {
            CopyDirectory(sub, Path.Combine(to, Path.GetFileName(sub)));
        }
    }

    /// <summary>The fixture copied next to the test assembly, else found from this source file.</summary>
    private static string FixtureFolder([CallerFilePath] string sourceFile = "")
    {
        string output = Path.Combine(AppContext.BaseDirectory, "Fixtures", "format-v1");
        if (File.Exists(Path.Combine(output, "expected.json")))
        {
            return output;
        }
        string source = Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "Fixtures", "format-v1");
        return File.Exists(Path.Combine(source, "expected.json"))
            ? source
            : throw new DirectoryNotFoundException($"Fixtures/format-v1 is neither in {output} nor in {source}.");
    }

    /// <summary>
    /// Rewrites a manifest's JSON inside its envelope (src/Storage/Io/ManifestFile.cs, ChecksummedJsonFile:
    /// "VDBMANIF" | u32 envelope version | i32 JSON length | UTF-8 JSON | u32 CRC-32C of all preceding bytes), with a
    /// correct checksum. The existing checksum is verified first, so this reproduces the storage's own envelope.
    /// </summary>
    private static void RewriteManifest(string path, Func<string, string> edit)
    {
        byte[] file = File.ReadAllBytes(path);
        const int header = 16;
        int length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(12));
        Assert.Equal(header + length + 4, file.Length);
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(header + length)), Crc32C(file.AsSpan(0, header + length)));
        string json = Encoding.UTF8.GetString(file, header, length);
        string edited = edit(json);
        Assert.NotEqual(json, edited);
        byte[] body = Encoding.UTF8.GetBytes(edited);
        byte[] rewritten = new byte[header + body.Length + 4];
        file.AsSpan(0, header).CopyTo(rewritten);
        BinaryPrimitives.WriteInt32LittleEndian(rewritten.AsSpan(12), body.Length);
        body.CopyTo(rewritten.AsSpan(header));
        BinaryPrimitives.WriteUInt32LittleEndian(rewritten.AsSpan(header + body.Length), Crc32C(rewritten.AsSpan(0, header + body.Length)));
        File.WriteAllBytes(path, rewritten);
    }

    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint state = uint.MaxValue;
        foreach (byte b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }
        return ~state;
    }
}
