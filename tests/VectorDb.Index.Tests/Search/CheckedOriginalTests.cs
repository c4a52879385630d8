using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Index.Tests.Reference;

namespace VectorDb.Index.Tests.Search;

/// <summary>
/// An upserted vector is checked once and its original converted once: <see cref="VectorIndex.CheckOriginal"/> checks
/// it and writes the bytes it is stored as, <see cref="VectorIndex.UpsertChecked"/> copies those bytes into the
/// originals without checking or converting them again, and the public span overload still checks everything and
/// changes nothing when it refuses.
/// </summary>
public class CheckedOriginalTests
{
    private const int Dimension = 24;

    private static VectorIndex NewIndex(OriginalsFormat originals, int centreSampleSize = 0) =>
        new(new VectorIndexOptions(new QuantizerOptions(Dimension, 2, 7), Metric.L2, originals, CentreSampleSize: centreSampleSize));

    private static byte[] RecordOf(VectorIndex index, float[] vector)
    {
        var record = new byte[index.Layout.RecordSize];
        index.Encode(vector, record);
        return record;
    }

    private static byte[] StoredForm(float[] vector, OriginalsFormat format)
    {
        var bytes = new byte[vector.Length * (format == OriginalsFormat.Float16 ? 2 : 4)];
        for (int j = 0; j < vector.Length; j++)
        {
            if (format == OriginalsFormat.Float16)
            {
                BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(2 * j), (Half)vector[j]);
            }
            else
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * j), vector[j]);
            }
        }
        return bytes;
    }

    /// <summary>The stored row of a slot as little-endian bytes.</summary>
    private static byte[] RowBytes(OriginalVectorStore store, int slot)
    {
        byte[] bytes = store.Precision == OriginalsFormat.Float16
            ? MemoryMarshal.AsBytes(store.GetFloat16Row(slot)).ToArray()
            : MemoryMarshal.AsBytes(store.GetFloat32Row(slot)).ToArray();
        Assert.True(BitConverter.IsLittleEndian, "these tests compare native rows with little-endian bytes");
        return bytes;
    }

    [Theory]
    [InlineData(OriginalsFormat.Float32)]
    [InlineData(OriginalsFormat.Float16)]
    public void CheckOriginal_WritesTheStoredBytes_AndUpsertChecked_KeepsThemAsTheyAre(OriginalsFormat format)
    {
        using var viaSpans = NewIndex(format);
        using var viaChecks = NewIndex(format);
        for (int i = 0; i < 40; i++)
        {
            float[] vector = RandomVectors.Gaussian(Dimension, 100 + (ulong)i);
            vector[0] = 65504f; // the largest float16 magnitude is accepted
            Assert.Equal(OriginalFault.None, viaChecks.CheckOriginal(vector, out CheckedOriginal original, out int coordinate));
            Assert.Equal(-1, coordinate);
            Assert.Equal(StoredForm(vector, format), original.Bytes.ToArray());

            viaSpans.UpsertEncoded((ulong)i, RecordOf(viaSpans, vector), vector);
            viaChecks.UpsertChecked((ulong)i, RecordOf(viaChecks, vector), original);
            Assert.Equal(original.Bytes.ToArray(), RowBytes(viaChecks.Originals!, i));
            Assert.Equal(RowBytes(viaSpans.Originals!, i), RowBytes(viaChecks.Originals!, i));
            Assert.Equal(viaSpans.Originals!.GetNorm(i), viaChecks.Originals!.GetNorm(i));
        }
        float[] query = RandomVectors.Gaussian(Dimension, 7);
        var options = new SearchOptions(10, Reranking.Fixed, Oversampling: 4);
        Assert.Equal(viaSpans.Search(query, options).Hits, viaChecks.Search(query, options).Hits);
    }

    [Theory]
    [InlineData(OriginalsFormat.Float32, 70000f, OriginalFault.None)]
    [InlineData(OriginalsFormat.Float16, 65505f, OriginalFault.BeyondFloat16)]
    [InlineData(OriginalsFormat.Float16, -70000f, OriginalFault.BeyondFloat16)]
    [InlineData(OriginalsFormat.Float16, float.NaN, OriginalFault.NotFinite)]
    [InlineData(OriginalsFormat.Float16, float.NegativeInfinity, OriginalFault.NotFinite)]
    [InlineData(OriginalsFormat.Float32, float.PositiveInfinity, OriginalFault.NotFinite)]
    [InlineData(OriginalsFormat.None, float.NaN, OriginalFault.NotFinite)]
    [InlineData(OriginalsFormat.None, 70000f, OriginalFault.None)]
    public void CheckOriginal_ReportsTheFirstBadCoordinate(OriginalsFormat format, float value, OriginalFault expected)
    {
        using var index = NewIndex(format);
        float[] vector = RandomVectors.Gaussian(Dimension, 3);
        vector[5] = value;
        vector[9] = float.NaN;
        vector[5 + 1] = value; // a second bad coordinate after the first: the first is reported
        OriginalFault fault = index.CheckOriginal(vector, out CheckedOriginal original, out int coordinate);
        if (expected == OriginalFault.None)
        {
            Assert.Equal(OriginalFault.NotFinite, fault);
            Assert.Equal(9, coordinate);
        }
        else
        {
            Assert.Equal(expected, fault);
            Assert.Equal(5, coordinate);
        }
        Assert.True(original.Bytes.IsEmpty);
        Assert.Equal(OriginalFault.WrongLength, index.CheckOriginal(new float[Dimension - 1], out _, out coordinate));
        Assert.Equal(-1, coordinate);
    }

    [Fact]
    public void CheckOriginal_WithoutOriginals_ChecksTheVector_AndStoresNothing()
    {
        using var index = NewIndex(OriginalsFormat.None);
        float[] vector = RandomVectors.Gaussian(Dimension, 11);
        Assert.Equal(OriginalFault.None, index.CheckOriginal(vector, out CheckedOriginal original, out _));
        Assert.True(original.Bytes.IsEmpty);
        index.UpsertChecked(1, RecordOf(index, vector), original);
        index.UpsertChecked(2, RecordOf(index, vector), default); // nothing to keep, so nothing to check
        Assert.Equal(2, index.Count);
    }

    /// <summary>
    /// The checked path takes the stored bytes as they are: bytes that no check would let through (a float16 NaN,
    /// which only a caller's own bytes can hold) reach the store unchanged, where the span overload refuses the same
    /// vector. That is the type's contract: whatever made the <see cref="CheckedOriginal"/> did the one check.
    /// </summary>
    [Fact]
    public void UpsertChecked_DoesNotCheckOrConvertTheCoordinatesAgain()
    {
        using var index = NewIndex(OriginalsFormat.Float16);
        float[] vector = RandomVectors.Gaussian(Dimension, 5);
        byte[] stored = StoredForm(vector, OriginalsFormat.Float16);
        BinaryPrimitives.WriteHalfLittleEndian(stored.AsSpan(2 * 4), Half.NaN);
        index.UpsertChecked(1, RecordOf(index, vector), index.StoredOriginal(stored));
        Assert.Equal(stored, RowBytes(index.Originals!, 0));

        vector[4] = float.NaN;
        Assert.Throws<ArgumentException>(() => index.UpsertEncoded(2, RecordOf(index, RandomVectors.Gaussian(Dimension, 6)), vector));
        Assert.Equal(1, index.Count);
    }

    [Theory]
    [InlineData(OriginalsFormat.Float32, float.NaN)]
    [InlineData(OriginalsFormat.Float16, float.PositiveInfinity)]
    [InlineData(OriginalsFormat.Float16, 70000f)]
    public void UpsertEncoded_WithABadOriginal_ThrowsTheStoresMessage_AndLeavesTheIndexUnchanged(OriginalsFormat format, float bad)
    {
        using var index = NewIndex(format);
        var vectors = Enumerable.Range(0, 50).Select(i => RandomVectors.Gaussian(Dimension, 200 + (ulong)i)).ToArray();
        for (int i = 0; i < vectors.Length; i++)
        {
            index.UpsertEncoded((ulong)i, RecordOf(index, vectors[i]), vectors[i]);
        }
        var options = new SearchOptions(5, Reranking.Fixed, Oversampling: 10);
        SearchHit[] before = index.Search(vectors[7], options).Hits;
        int slots = index.Originals!.SlotCount;

        float[] replacement = RandomVectors.Gaussian(Dimension, 999);
        replacement[3] = bad;
        string storeMessage = Assert.Throws<ArgumentException>(() => new OriginalVectorStore(Dimension, format).Upsert(0, replacement)).Message;
        var e = Assert.Throws<ArgumentException>(() => index.UpsertEncoded(7, RecordOf(index, vectors[0]), replacement));
        Assert.Equal(storeMessage, e.Message);
        Assert.StartsWith("Coordinate 3 is ", e.Message, StringComparison.Ordinal);

        Assert.Equal(50, index.Count);
        Assert.True(index.Contains(7));
        Assert.Equal(50, index.Originals!.LiveCount);
        Assert.Equal(slots, index.Originals!.SlotCount);
        Assert.Equal(before, index.Search(vectors[7], options).Hits);
        Assert.Equal(7UL, before[0].Id);
    }

    [Fact]
    public void UpsertChecked_RefusesAnOriginalCheckedElsewhere_AndStoredOriginal_ChecksTheLength()
    {
        using var index = NewIndex(OriginalsFormat.Float16);
        using var other = NewIndex(OriginalsFormat.Float16);
        float[] vector = RandomVectors.Gaussian(Dimension, 8);
        Assert.Equal(OriginalFault.None, other.CheckOriginal(vector, out CheckedOriginal foreign, out _));
        byte[] record = RecordOf(index, vector);
        Assert.Contains("not checked by this index", Assert.Throws<ArgumentException>(() => index.UpsertChecked(1, record, foreign)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => index.UpsertChecked(1, record, default));
        Assert.Contains($"{Dimension * 2} bytes; got 3", Assert.Throws<ArgumentException>(() => index.StoredOriginal(new byte[3])).Message, StringComparison.Ordinal);
        Assert.Contains("a record of this index is", Assert.Throws<ArgumentException>(() => index.UpsertChecked(1, record.AsSpan(1), index.StoredOriginal(foreign.Bytes))).Message, StringComparison.Ordinal);
        Assert.Equal(0, index.Count);
    }

    /// <summary>A record coded before the centre was fixed is re-encoded from the checked original's stored bytes,
    /// exactly as the span overload re-encodes it from the floats (float32: the same values).</summary>
    [Fact]
    public void UpsertChecked_ReEncodesAStaleRecord_AsTheSpanOverloadDoes()
    {
        using var viaSpans = NewIndex(OriginalsFormat.Float32, centreSampleSize: 8);
        using var viaChecks = NewIndex(OriginalsFormat.Float32, centreSampleSize: 8);
        using var uncentred = NewIndex(OriginalsFormat.Float32, centreSampleSize: 8);
        Assert.True(viaChecks.CentredCodes);
        for (int i = 0; i < 10; i++)
        {
            float[] vector = RandomVectors.Gaussian(Dimension, 300 + (ulong)i);
            viaSpans.Upsert((ulong)i, vector);
            viaChecks.Upsert((ulong)i, vector);
        }
        Assert.True(viaChecks.CentreFixed);
        float[] late = RandomVectors.Gaussian(Dimension, 400);
        byte[] stale = RecordOf(uncentred, late);
        Assert.True(uncentred.Layout.IsUncentred(stale));
        viaSpans.UpsertEncoded(20, stale, late);
        Assert.Equal(OriginalFault.None, viaChecks.CheckOriginal(late, out CheckedOriginal original, out _));
        viaChecks.UpsertChecked(20, stale, original);
        Assert.False(viaChecks.Layout.IsUncentred(viaChecks.CodesOf(20).Record));
        Assert.Equal(viaSpans.CodesOf(20).Record, viaChecks.CodesOf(20).Record);
    }
}
