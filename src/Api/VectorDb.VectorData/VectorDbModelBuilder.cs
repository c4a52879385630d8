using Microsoft.Extensions.VectorData.ProviderServices;

namespace VectorDb.VectorData;

/// <summary>Which record shapes VectorDb accepts: a <see cref="ulong"/>, <see cref="Guid"/> or UUID string key, one float vector
/// (<see cref="ReadOnlyMemory{T}"/> or array of <see cref="float"/>), and data properties that serialize to JSON
/// scalars or arrays (filterable) or any other JSON (stored, not filterable).</summary>
internal sealed class VectorDbModelBuilder() : CollectionModelBuilder(new CollectionModelBuildingOptions
{
    SupportsMultipleVectors = false,
    RequiresAtLeastOneVector = true,
})
{
    private static readonly HashSet<Type> s_vectorTypes = [typeof(ReadOnlyMemory<float>), typeof(ReadOnlyMemory<float>?), typeof(float[])];

    protected override bool IsDataPropertyTypeValid(Type type, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = "any JSON-serializable type (strings, numbers, booleans and arrays of them can be filtered)";
        return true;
    }

    protected override bool IsVectorPropertyTypeValid(Type type, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = "ReadOnlyMemory<float>, float[]";
        return s_vectorTypes.Contains(type);
    }

    protected override void ValidateKeyProperty(KeyPropertyModel keyProperty)
    {
        if (!RecordKeys.IsSupported(keyProperty.Type))
        {
            throw new NotSupportedException(
                $"VectorDb keys are ulong, Guid or UUID strings; property '{keyProperty.ModelName}' is {keyProperty.Type.Name}.");
        }
        base.ValidateKeyProperty(keyProperty);
    }
}
