using VectorDb.Api.V1;
using ProtoScheme = VectorDb.Api.V1.QuantizationScheme;
using ProtoConfig = VectorDb.Api.V1.CollectionConfig;
using EngineConfig = VectorDb.CollectionConfig;
using ProtoInfo = VectorDb.Api.V1.CollectionInfo;

namespace VectorDb.Server.Mapping;

/// <summary>Collection configuration and info: proto ↔ engine. Unset (zero/default) proto fields take the engine's
/// defaults: eden-unbiased, 4 bits, float32 originals, flat index.</summary>
internal static class CollectionMapping
{
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
        var metric = request.Vectors.Distance switch
        {
            Distance.Cosine => Metric.Cosine,
            Distance.Dot => Metric.InnerProduct,
            Distance.Euclid => Metric.L2,
            _ => throw new ArgumentException("vectors.distance is not set; use COSINE, DOT or EUCLID.", "vectors.distance"),
        };
        var quantization = request.Quantization ?? new QuantizationConfig();
        var scheme = quantization.Scheme switch
        {
            ProtoScheme.Default or ProtoScheme.EdenUnbiased => QuantizerScheme.EdenUnbiased,
            ProtoScheme.EdenBiased => QuantizerScheme.EdenBiased,
            ProtoScheme.TqMse => QuantizerScheme.TurboQuantMse,
            ProtoScheme.TqProd => QuantizerScheme.TurboQuantProd,
            _ => throw new ArgumentException($"quantization.scheme {quantization.Scheme} is unknown.", "quantization.scheme"),
        };
        var originals = request.Originals switch
        {
            OriginalsStorage.OriginalsDefault or OriginalsStorage.OriginalsFloat32 => OriginalsFormat.Float32,
            OriginalsStorage.OriginalsFloat16 => OriginalsFormat.Float16,
            OriginalsStorage.OriginalsNone => OriginalsFormat.None,
            _ => throw new ArgumentException($"originals {request.Originals} is unknown.", "originals"),
        };
        var index = request.Index?.Type switch
        {
            IndexType.IndexFlat => IndexLayout.Flat,
            // Auto: an IVF collection, which scans flat until it holds DatabaseOptions.IvfTrainingThreshold points.
            null or IndexType.IndexAuto or IndexType.IndexIvf => IndexLayout.Ivf,
            _ => throw new ArgumentException($"index.type {request.Index.Type} is unknown.", "index.type"),
        };
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
        Vectors = new VectorParams
        {
            Size = (ulong)config.Dimension,
            Distance = config.Metric switch
            {
                Metric.Cosine => Distance.Cosine,
                Metric.InnerProduct => Distance.Dot,
                _ => Distance.Euclid,
            },
        },
        Quantization = new QuantizationConfig
        {
            Scheme = config.Scheme switch
            {
                QuantizerScheme.EdenUnbiased => ProtoScheme.EdenUnbiased,
                QuantizerScheme.EdenBiased => ProtoScheme.EdenBiased,
                QuantizerScheme.TurboQuantMse => ProtoScheme.TqMse,
                _ => ProtoScheme.TqProd,
            },
            Bits = (uint)config.Bits,
            RotationSeed = config.RotationSeed,
            RotationRounds = (uint)config.RotationRounds,
        },
        Originals = config.Originals switch
        {
            OriginalsFormat.Float32 => OriginalsStorage.OriginalsFloat32,
            OriginalsFormat.Float16 => OriginalsStorage.OriginalsFloat16,
            _ => OriginalsStorage.OriginalsNone,
        },
        Index = new IndexParams
        {
            Type = config.Index == IndexLayout.Ivf ? IndexType.IndexIvf : IndexType.IndexFlat,
            Nlist = (uint)config.NList,
        },
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
