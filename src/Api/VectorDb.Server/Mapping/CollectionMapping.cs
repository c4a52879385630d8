using VectorDb.Api.V1;
using ProtoScheme = VectorDb.Api.V1.QuantizationScheme;
using ProtoConfig = VectorDb.Api.V1.CollectionConfig;
using EngineConfig = VectorDb.CollectionConfig;
using ProtoInfo = VectorDb.Api.V1.CollectionInfo;

namespace VectorDb.Server.Mapping;

/// <summary>Collection configuration and info: proto ↔ engine. Unset (zero/default) proto fields take the engine's
/// defaults: eden-unbiased, 4 bits, float32 originals, an auto (IVF) index.</summary>
internal static class CollectionMapping
{
    private static readonly WireTable<Distance, Metric> Metrics = new(
        (Distance.Cosine, Metric.Cosine), (Distance.Dot, Metric.InnerProduct), (Distance.Euclid, Metric.L2));

    private static readonly WireTable<ProtoScheme, QuantizerScheme> Schemes = new(
        (ProtoScheme.EdenUnbiased, QuantizerScheme.EdenUnbiased), (ProtoScheme.Default, QuantizerScheme.EdenUnbiased),
        (ProtoScheme.EdenBiased, QuantizerScheme.EdenBiased), (ProtoScheme.TqMse, QuantizerScheme.TurboQuantMse),
        (ProtoScheme.TqProd, QuantizerScheme.TurboQuantProd));

    private static readonly WireTable<OriginalsStorage, OriginalsFormat> Originals = new(
        (OriginalsStorage.OriginalsFloat32, OriginalsFormat.Float32), (OriginalsStorage.OriginalsDefault, OriginalsFormat.Float32),
        (OriginalsStorage.OriginalsFloat16, OriginalsFormat.Float16), (OriginalsStorage.OriginalsNone, OriginalsFormat.None));

    private static readonly WireTable<IndexType, IndexLayout> Layouts = new(
        (IndexType.IndexIvf, IndexLayout.Ivf), (IndexType.IndexAuto, IndexLayout.Ivf), (IndexType.IndexFlat, IndexLayout.Flat));

    public static EngineConfig ToEngine(CreateCollectionRequest request)
    {
        if (request.Vectors is null)
        {
            throw new ArgumentException("vectors is missing; set vectors.size (the dimension) and vectors.distance.", "vectors");
        }
        if (request.Vectors.Size is 0 or > int.MaxValue)
        {
            throw new ArgumentException($"vectors.size is {request.Vectors.Size}; set the vector dimension (at least 1).", "vectors.size");
        }
        if (!Metrics.TryRead(request.Vectors.Distance, out var metric))
        {
            throw new ArgumentException("vectors.distance is not set; use COSINE, DOT or EUCLID.", "vectors.distance");
        }
        var quantization = request.Quantization ?? new QuantizationConfig();
        if (!Schemes.TryRead(quantization.Scheme, out var scheme))
        {
            throw new ArgumentException($"quantization.scheme {quantization.Scheme} is unknown.", "quantization.scheme");
        }
        if (!Originals.TryRead(request.Originals, out var originals))
        {
            throw new ArgumentException($"originals {request.Originals} is unknown.", "originals");
        }
        // No index section, or index type Auto: an IVF collection, which scans flat until it holds
        // DatabaseOptions.IvfTrainingThreshold points.
        var index = IndexLayout.Ivf;
        if (request.Index is not null && !Layouts.TryRead(request.Index.Type, out index))
        {
            throw new ArgumentException($"index.type {request.Index.Type} is unknown.", "index.type");
        }
        if (quantization.Bits > 8 || (quantization.HasRotationRounds && quantization.RotationRounds is 0 or > CollectionConfig.MaxRotationRounds))
        {
            throw new ArgumentException(
                $"quantization.bits must be 1..8 (0 = default 4) and rotation_rounds 1..{CollectionConfig.MaxRotationRounds}; got {quantization.Bits} and {quantization.RotationRounds}.",
                "quantization");
        }
        if (request.Index?.Nlist > int.MaxValue)
        {
            throw new ArgumentException($"index.nlist {request.Index.Nlist} is too large.", "index.nlist");
        }
        return new EngineConfig(
            (int)request.Vectors.Size,
            metric,
            scheme,
            quantization.Bits == 0 ? EngineConfig.DefaultBits : (int)quantization.Bits,
            originals,
            index,
            (int)(request.Index?.Nlist ?? 0),
            quantization.HasRotationSeed ? quantization.RotationSeed : EngineConfig.DefaultRotationSeed,
            quantization.HasRotationRounds ? (int)quantization.RotationRounds : CollectionConfig.DefaultRotationRounds);
    }

    public static ProtoConfig ToProto(EngineConfig config) => new()
    {
        Vectors = new VectorParams { Size = (ulong)config.Dimension, Distance = Metrics.Write(config.Metric) },
        Quantization = new QuantizationConfig
        {
            Scheme = Schemes.Write(config.Scheme),
            Bits = (uint)config.Bits,
            RotationSeed = config.RotationSeed,
            RotationRounds = (uint)config.RotationRounds,
        },
        Originals = Originals.Write(config.Originals),
        Index = new IndexParams { Type = Layouts.Write(config.Index), Nlist = (uint)config.NList },
    };

    public static ProtoInfo ToProto(VectorDb.CollectionInfo info) => new()
    {
        Name = info.Name,
        Config = ToProto(info.Config),
        PointsCount = (ulong)info.PointsCount,
        BytesOnDisk = (ulong)info.BytesOnDisk,
        BytesInMemory = (ulong)info.BytesInMemory,
        CodeBytesPerVector = (ulong)info.CodeBytesPerVector,
        ShardNumber = 1,
        ReplicationFactor = 1,
        WriteConsistency = WriteConsistency.All,
    };
}
