namespace VectorDb.Index.Search;

/// <summary>
/// A vector to upsert that one index has checked (<see cref="VectorIndex.CheckOriginal"/>: its dimension, every
/// coordinate finite, and within ±<see cref="Rerank.OriginalVectorStore.MaxFloat16Magnitude"/> for float16 originals),
/// with its original converted once into <see cref="Bytes"/>, the form it is stored in. A storage layer persists these
/// bytes and <see cref="VectorIndex.UpsertChecked"/> copies them into the index's originals: neither checks nor
/// converts them again. Originals read back from storage become one through <see cref="VectorIndex.StoredOriginal"/>.
/// </summary>
public readonly struct CheckedOriginal
{
    internal CheckedOriginal(ReadOnlyMemory<byte> bytes, VectorIndex index) => (Bytes, Index) = (bytes, index);

    /// <summary>The original as stored: the index's <see cref="VectorIndexOptions.Originals"/> format, little-endian
    /// (d·4 bytes for float32, d·2 for float16); empty when the index keeps no originals.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The index that checked it; null for a default value.</summary>
    internal VectorIndex? Index { get; }
}

/// <summary>What is wrong with a vector to upsert (<see cref="VectorIndex.CheckOriginal"/>).</summary>
public enum OriginalFault
{
    /// <summary>Nothing: the vector was checked.</summary>
    None,

    /// <summary>Its length is not the index's dimension.</summary>
    WrongLength,

    /// <summary>A coordinate is NaN or infinite.</summary>
    NotFinite,

    /// <summary>A coordinate's magnitude exceeds <see cref="Rerank.OriginalVectorStore.MaxFloat16Magnitude"/> and the
    /// index keeps float16 originals.</summary>
    BeyondFloat16,
}
