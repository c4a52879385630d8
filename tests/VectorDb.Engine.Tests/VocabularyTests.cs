using VectorDb.Engine;
using VectorDb.Index.Quantization;
using VectorDb.Index.Rerank;
using VectorDb.Index.Search;
using VectorDb.Storage;

namespace VectorDb.Engine.Tests;

/// <summary>The engine's public vocabulary (namespace VectorDb) against the codec and storage layers' own enums: every
/// member on either side maps to the member of the same name and back, so a manifest written with either names the
/// same thing, and no member is left out when one side grows.</summary>
public sealed class VocabularyTests
{
    [Fact]
    public void EveryMemberMapsByName_BothWays()
    {
        Assert.Equal(Enum.GetNames<ExactMetric>(), Enum.GetNames<Metric>());
        Assert.All(Enum.GetValues<Metric>(), m => Assert.Equal(m.ToString(), VocabularyMapping.ToCodec(m).ToString()));
        Assert.All(Enum.GetValues<ExactMetric>(), m => Assert.Equal(m.ToString(), VocabularyMapping.FromCodec(m).ToString()));

        Assert.Equal(Enum.GetNames<QuantizationScheme>(), Enum.GetNames<QuantizerScheme>());
        Assert.All(Enum.GetValues<QuantizerScheme>(), s => Assert.Equal(s.ToString(), VocabularyMapping.ToCodec(s).ToString()));
        Assert.All(Enum.GetValues<QuantizationScheme>(), s => Assert.Equal(s.ToString(), VocabularyMapping.FromCodec(s).ToString()));
        Assert.All(Enum.GetValues<QuantizerScheme>(), s => Assert.Equal(s, QuantizerSchemes.Parse(s.Id())));
        Assert.Equal(QuantizationSchemes.All.Select(s => s.Id()), Enum.GetValues<QuantizerScheme>().Select(s => s.Id()));

        Assert.Equal(Enum.GetNames<OriginalVectorFormat>().Order(), Enum.GetNames<OriginalsFormat>().Order());
        Assert.All(Enum.GetValues<OriginalsFormat>(), f => Assert.Equal(f.ToString(), VocabularyMapping.ToStorage(f).ToString()));
        Assert.All(Enum.GetValues<OriginalVectorFormat>(), f => Assert.Equal(f.ToString(), VocabularyMapping.FromStorage(f).ToString()));

        Assert.Equal(Enum.GetNames<IndexKind>(), Enum.GetNames<IndexLayout>());
        Assert.All(Enum.GetValues<IndexLayout>(), k => Assert.Equal(k.ToString(), VocabularyMapping.ToCodec(k).ToString()));
        Assert.Equal(Enum.GetNames<RerankMode>(), Enum.GetNames<Reranking>());
        Assert.All(Enum.GetValues<Reranking>(), r => Assert.Equal(r.ToString(), VocabularyMapping.ToCodec(r).ToString()));
    }
}
