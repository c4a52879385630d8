using VectorDb.Index.Rerank;

namespace VectorDb.Index.Tests.Rerank;

public class OriginalVectorStoreTests
{
    private sealed class RecordingListener : IOriginalStoreListener
    {
        public List<int> Changed { get; } = [];

        public void OnSlotChanged(int slot) => Changed.Add(slot);
    }

    [Fact]
    public void UpsertDelete_TrackLiveCountsVersionAndListeners()
    {
        var store = new OriginalVectorStore(3, OriginalsFormat.Float32);
        var listener = new RecordingListener();
        store.AddListener(listener);

        store.Upsert(0, [1, 2, 3]);
        store.Upsert(70_000, [3, 4, 0]);
        store.Upsert(0, [0, 0, 2]);
        bool deleted = store.Delete(70_000);
        bool deletedAgain = store.Delete(70_000);
        bool deletedUnknown = store.Delete(5);

        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.False(deletedUnknown);
        Assert.Equal([0, 70_000, 0, 70_000], listener.Changed);
        Assert.Equal(4, store.Version);
        Assert.Equal(1, store.LiveCount);
        Assert.Equal(70_001, store.SlotCount);
        Assert.True(store.IsLive(0));
        Assert.False(store.IsLive(70_000));
        Assert.False(store.IsLive(-1));
        Assert.Equal(2f, store.GetNorm(0));
        Assert.Equal([0f, 0f, 2f], store.GetFloat32Row(0).ToArray());
    }

    [Fact]
    public void Float16_StoresRoundedValuesAndTheirNorm()
    {
        var store = new OriginalVectorStore(2, OriginalsFormat.Float16);
        float[] input = [0.1f, 65504f];
        store.Upsert(1, input);
        var roundTrip = new float[2];

        store.CopyTo(1, roundTrip);

        Assert.Equal([(float)(Half)0.1f, 65504f], roundTrip);
        double expectedNorm = Math.Sqrt((double)(Half)0.1f * (double)(Half)0.1f + 65504.0 * 65504.0);
        Assert.Equal((float)expectedNorm, store.GetNorm(1));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(70000f)]
    public void Upsert_RejectsBadCoordinatesAndChangesNothing(float bad)
    {
        var store = new OriginalVectorStore(2, OriginalsFormat.Float16);
        store.Upsert(0, [1, 1]);
        var listener = new RecordingListener();
        store.AddListener(listener);

        ArgumentException error = Assert.Throws<ArgumentException>(() => store.Upsert(0, [2, bad]));

        Assert.Contains("Coordinate 1", error.Message);
        Assert.Equal([1f, 1f], store.GetFloat16Row(0).ToArray().Select(h => (float)h));
        Assert.Empty(listener.Changed);
        Assert.Equal(1, store.Version);
    }

    [Fact]
    public void BadArguments_ThrowWithUsefulMessages()
    {
        var store = new OriginalVectorStore(2, OriginalsFormat.Float32);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OriginalVectorStore(0, OriginalsFormat.Float32));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OriginalVectorStore(4, (OriginalsFormat)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OriginalVectorStore(4, OriginalsFormat.None)); // a store holds originals
        Assert.Contains("dimension is 2", Assert.Throws<ArgumentException>(() => store.Upsert(0, [1, 2, 3])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Upsert(-1, [1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Upsert(OriginalVectorStore.MaxSlotCount, [1, 2]));
        Assert.Contains("not live", Assert.Throws<ArgumentException>(() => store.GetFloat32Row(0)).Message);
        store.Upsert(0, [1, 2]);
        Assert.Throws<InvalidOperationException>(() => store.GetFloat16Row(0));
        Assert.Equal(0, store.SlotCount - 1);
    }
}
