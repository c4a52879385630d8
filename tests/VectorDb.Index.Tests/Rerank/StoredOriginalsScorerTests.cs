using System.Buffers.Binary;
using VectorDb.Index.Common;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Rerank;

/// <summary>
/// Re-ranking from originals read through an <see cref="IOriginalReader"/> must give exactly what the in-memory
/// <see cref="ExactScorer"/> gives: the same hits, scores bit for bit, at every SIMD level, metric and precision. The
/// reader here serves the vectors the test wrote (a dictionary, encoded as the storage layer stores them).
/// </summary>
public class StoredOriginalsScorerTests
{
    private const int Dimension = 37, Count = 300;

    public static IEnumerable<object[]> Cases() =>
        from level in SimdCapabilities.Available
        from metric in new[] { Metric.InnerProduct, Metric.Cosine, Metric.L2 }
        from precision in new[] { OriginalsFormat.Float32, OriginalsFormat.Float16 }
        select new object[] { level, metric, precision };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SearchesAndScores_EqualTheInMemoryScorer(SimdLevel level, Metric metric, OriginalsFormat precision)
    {
        var options = new VectorIndexOptions(new QuantizerOptions(Dimension, 2, 11), metric, precision);
        using var memory = new VectorIndex(options, new SimdLevelOverride(level));
        using var stored = new VectorIndex(options, new SimdLevelOverride(level));
        var reader = new DictionaryReader(Dimension, precision);
        for (int i = 0; i < Count; i++)
        {
            float[] vector = RandomVectors.Gaussian(Dimension, (ulong)i + 1);
            memory.Upsert((ulong)i, vector);
            stored.Upsert((ulong)i, vector);
            reader.Put((ulong)i, vector);
        }
        // Deleted and overwritten points: their old rows must score NaN (skipped), never a stale original.
        for (int i = 0; i < Count; i += 7)
        {
            memory.Delete((ulong)i);
            stored.Delete((ulong)i);
            reader.Remove((ulong)i);
        }
        float[] replacement = RandomVectors.Gaussian(Dimension, 9999);
        memory.Upsert(5, replacement);
        stored.Upsert(5, replacement);
        reader.Put(5, replacement);
        stored.UseExternalOriginals(reader);

        foreach (Reranking mode in new[] { Reranking.Fixed, Reranking.Auto })
        {
            for (int q = 0; q < 10; q++)
            {
                float[] query = RandomVectors.Gaussian(Dimension, 5000 + (ulong)q);
                var search = new SearchOptions(10, mode);
                Assert.Equal(memory.Search(query, search).Hits, stored.Search(query, search).Hits);
            }
        }
        float[] probe = RandomVectors.Gaussian(Dimension, 777);
        var memoryAll = new ScoredSlot[20];
        var storedAll = new ScoredSlot[20];
        int found = memory.ExactScorer!.SearchAll(probe, memoryAll);
        Assert.Equal(found, stored.ExactScorer!.SearchAll(probe, storedAll));
        Assert.Equal(memoryAll, storedAll);
    }

    /// <summary>Originals by id, as little-endian float32 or float16 bytes (what the storage layer returns).</summary>
    private sealed class DictionaryReader(int dimension, OriginalsFormat precision) : IOriginalReader
    {
        private readonly Dictionary<ulong, byte[]> _rows = [];

        public void Put(ulong id, float[] vector)
        {
            int width = precision == OriginalsFormat.Float32 ? 4 : 2;
            var bytes = new byte[dimension * width];
            for (int j = 0; j < dimension; j++)
            {
                if (width == 4)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * j), vector[j]);
                }
                else
                {
                    BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(2 * j), (Half)vector[j]);
                }
            }
            _rows[id] = bytes;
        }

        public void Remove(ulong id) => _rows.Remove(id);

        public void Read(ReadOnlySpan<ulong> ids, Span<byte> destination, Span<bool> found)
        {
            int width = destination.Length / Math.Max(1, ids.Length);
            for (int i = 0; i < ids.Length; i++)
            {
                found[i] = _rows.TryGetValue(ids[i], out byte[]? row);
                if (found[i])
                {
                    row!.CopyTo(destination.Slice(i * width, width));
                }
            }
        }
    }
}
