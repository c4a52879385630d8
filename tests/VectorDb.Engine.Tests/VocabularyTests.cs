namespace VectorDb.Engine.Tests;

/// <summary>The one vocabulary (src/Vocabulary, namespace VectorDb) that the Index, Storage, Datasets and the engine's
/// public API share. What is persisted of it is pinned here by literal: the manifest stores the member names of
/// <see cref="Metric"/>, <see cref="IndexLayout"/> and <see cref="OriginalsFormat"/> and the ids of
/// <see cref="QuantizerScheme"/>, and logs.vdb the numbers of <see cref="OriginalsFormat"/>; renaming or renumbering a
/// member would change what new collections record and misread old ones (the format-v1 fixture tests read such files).</summary>
public sealed class VocabularyTests
{
    [Fact]
    public void PersistedNamesAndNumbers_AreTheOnesStoredCollectionsHold()
    {
        Assert.Equal(["InnerProduct", "Cosine", "L2"], Enum.GetNames<Metric>());
        Assert.Equal(["EdenUnbiased", "EdenBiased", "TurboQuantMse", "TurboQuantProd"], Enum.GetNames<QuantizerScheme>());
        Assert.Equal(["Flat", "Ivf"], Enum.GetNames<IndexLayout>());
        Assert.Equal(["None", "Fixed", "Auto"], Enum.GetNames<Reranking>());
        Assert.Equal([("None", 0), ("Float32", 1), ("Float16", 2)],
            Enum.GetValues<OriginalsFormat>().Select(f => (f.ToString(), (int)f)));
    }

    [Fact]
    public void SchemeIds_AreStable_AndParseBack()
    {
        Assert.Equal(["eden-unbiased", "eden-biased", "tq-mse", "tq-prod"], QuantizerSchemes.All.Select(s => s.Id()));
        Assert.Equal(Enum.GetValues<QuantizerScheme>(), QuantizerSchemes.All);
        Assert.All(Enum.GetValues<QuantizerScheme>(), s => Assert.Equal(s, QuantizerSchemes.Parse(s.Id())));
        Assert.Throws<ArgumentException>(() => QuantizerSchemes.Parse("TurboQuantProd"));
        Assert.Equal([true, false, false, true], QuantizerSchemes.All.Select(s => s.IsUnbiased()));
        Assert.Equal([false, false, true], Enum.GetValues<Metric>().Select(m => m.SmallerIsBetter()));
    }

    [Fact]
    public void Engine_ForwardsTheMovedTypes_ToTheVocabularyAssembly()
    {
        // Applications compiled against VectorDb.Engine 0.6.0, which defined these types, still find them.
        var forwarded = typeof(VectorDatabase).Assembly.GetForwardedTypes();
        Type[] moved = [typeof(Metric), typeof(QuantizerScheme), typeof(QuantizerSchemes), typeof(OriginalsFormat), typeof(IndexLayout), typeof(Reranking)];
        Assert.All(moved, type => Assert.Contains(type, forwarded));
        Assert.All(moved, type => Assert.Equal("VectorDb.Vocabulary", type.Assembly.GetName().Name));
    }
}
