using VectorDb.Api.V1;
using VectorDb.Server.Mapping;
using ProtoScheme = VectorDb.Api.V1.QuantizationScheme;
using EngineConfig = VectorDb.CollectionConfig;

namespace VectorDb.Server.Tests;

/// <summary>The proto ↔ engine collection mapping, both ways: the wire names are the proto's (collections.proto).</summary>
public class CollectionMappingTests
{
    [Fact]
    public void EveryEngineConfig_RoundTripsThroughTheProto()
    {
        foreach (Metric metric in Enum.GetValues<Metric>())
        foreach (QuantizerScheme scheme in Enum.GetValues<QuantizerScheme>())
        foreach (OriginalsFormat originals in Enum.GetValues<OriginalsFormat>())
        foreach (IndexLayout layout in Enum.GetValues<IndexLayout>())
        {
            var config = new EngineConfig(12, metric, scheme, 3, originals, layout, 5);
            var proto = CollectionMapping.ToProto(config);
            var back = CollectionMapping.ToEngine(new CreateCollectionRequest
            {
                Vectors = proto.Vectors, Quantization = proto.Quantization, Originals = proto.Originals, Index = proto.Index,
            });
            Assert.Equal(config with { ClusteringSeed = back.ClusteringSeed }, back);
        }
    }

    [Fact]
    public void WireNames_AreTheProtos_AndDefaultsReadAsTheEngineDefaults()
    {
        var proto = CollectionMapping.ToProto(new EngineConfig(8, Metric.InnerProduct, QuantizerScheme.TurboQuantProd, 2,
            OriginalsFormat.Float16, IndexLayout.Flat));
        Assert.Equal(Distance.Dot, proto.Vectors.Distance);
        Assert.Equal(ProtoScheme.TqProd, proto.Quantization.Scheme);
        Assert.Equal(OriginalsStorage.OriginalsFloat16, proto.Originals);
        Assert.Equal(IndexType.IndexFlat, proto.Index.Type);
        Assert.Equal(ProtoScheme.EdenUnbiased, CollectionMapping.ToProto(new EngineConfig(8)).Quantization.Scheme);
        Assert.Equal(Distance.Euclid, CollectionMapping.ToProto(new EngineConfig(8, Metric.L2)).Vectors.Distance);

        var unset = CollectionMapping.ToEngine(new CreateCollectionRequest { Vectors = new VectorParams { Size = 8, Distance = Distance.Cosine } });
        Assert.Equal((Metric.Cosine, QuantizerScheme.EdenUnbiased, OriginalsFormat.Float32, IndexLayout.Ivf),
            (unset.Metric, unset.Scheme, unset.Originals, unset.Index));
        var auto = CollectionMapping.ToEngine(new CreateCollectionRequest
        {
            Vectors = new VectorParams { Size = 8, Distance = Distance.Euclid }, Index = new IndexParams { Type = IndexType.IndexAuto },
        });
        Assert.Equal((Metric.L2, IndexLayout.Ivf), (auto.Metric, auto.Index));
    }

    [Fact]
    public void UnsetOrUnknownWireValues_AreRefusedNamingTheField()
    {
        static string Refused(CreateCollectionRequest request) =>
            Assert.Throws<ArgumentException>(() => CollectionMapping.ToEngine(request)).ParamName!;
        VectorParams Vectors() => new() { Size = 8, Distance = Distance.Dot };
        Assert.Equal("vectors.distance", Refused(new CreateCollectionRequest { Vectors = new VectorParams { Size = 8 } }));
        Assert.Equal("quantization.scheme", Refused(new CreateCollectionRequest
        {
            Vectors = Vectors(), Quantization = new QuantizationConfig { Scheme = (ProtoScheme)9 },
        }));
        Assert.Equal("originals", Refused(new CreateCollectionRequest { Vectors = Vectors(), Originals = (OriginalsStorage)9 }));
        Assert.Equal("index.type", Refused(new CreateCollectionRequest { Vectors = Vectors(), Index = new IndexParams { Type = (IndexType)9 } }));
    }
}
