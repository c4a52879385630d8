namespace VectorDb.Datasets;

/// <summary>A dense row-major block of <see cref="Count"/> float32 vectors of equal <see cref="Dimension"/>.</summary>
public sealed class VectorSet
{
    public VectorSet(int dimension, int count, float[] values)
    {
        if (dimension <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be positive");
        }
        if (values.LongLength != (long)dimension * count)
        {
            throw new ArgumentException($"values has {values.LongLength} floats; {count} rows of {dimension} need {(long)dimension * count}.", nameof(values));
        }
        Dimension = dimension;
        Count = count;
        Values = values;
    }

    public int Dimension { get; }

    public int Count { get; }

    /// <summary>All rows back to back: row r occupies [r·Dimension, (r+1)·Dimension).</summary>
    public float[] Values { get; }

    public ReadOnlySpan<float> Row(int index) => Values.AsSpan(index * Dimension, Dimension);

    /// <summary>A new set holding the first <paramref name="count"/> rows.</summary>
    public VectorSet Take(int count)
    {
        count = Math.Min(count, Count);
        return new VectorSet(Dimension, count, Values.AsSpan(0, count * Dimension).ToArray());
    }
}
