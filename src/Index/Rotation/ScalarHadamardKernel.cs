namespace VectorDb.Index.Rotation;

/// <summary>
/// The scalar kernel: textbook loops, one pass per step, and the oracle the SIMD kernels must match bit for bit.
/// </summary>
internal readonly struct ScalarHadamardKernel : IHadamardKernel
{
    public static void BlockTransform(
        ReadOnlySpan<float> source, Span<float> destination, FastBlock block,
        ReadOnlySpan<uint> inputSigns, float scale, ReadOnlySpan<uint> outputSigns)
    {
        Span<float> x = destination.Slice(0, block.Length);
        if (inputSigns.IsEmpty)
        {
            source.Slice(0, block.Length).CopyTo(x);
        }
        else
        {
            FlipCopy(source, x, inputSigns.Slice(0, block.Length));
        }
        int rowLength = block.RowLength;
        if (block.IsKron12)
        {
            Paley12Columns(x, rowLength);
        }
        for (int row = 0; row < block.RowCount; row++)
        {
            WalshHadamard(x.Slice(row * rowLength, rowLength));
        }
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= scale;
        }
        if (!outputSigns.IsEmpty)
        {
            FlipCopy(x, x, outputSigns.Slice(0, block.Length));
        }
    }

    private static void FlipCopy(ReadOnlySpan<float> source, Span<float> destination, ReadOnlySpan<uint> signs)
    {
        for (int i = 0; i < signs.Length; i++)
        {
            destination[i] = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(source[i]) ^ signs[i]);
        }
    }

    /// <summary>Unnormalized in-place Walsh-Hadamard transform (Sylvester order), strides 1, 2, 4, … in that
    /// order; each butterfly is (a, b) → (a + b, a - b). Length must be a power of two.</summary>
    public static void WalshHadamard(Span<float> x)
    {
        for (int half = 1; half < x.Length; half <<= 1)
        {
            for (int start = 0; start < x.Length; start += half << 1)
            {
                for (int j = start; j < start + half; j++)
                {
                    float a = x[j];
                    float b = x[j + half];
                    x[j] = a + b;
                    x[j + half] = a - b;
                }
            }
        }
    }

    /// <summary>Applies the Paley-12 matrix down every column of a 12 × <paramref name="rowLength"/> row-major block,
    /// in the operation order documented on <see cref="Paley12"/>.</summary>
    public static void Paley12Columns(Span<float> x, int rowLength)
    {
        Span<float> p = stackalloc float[6];
        Span<float> q = stackalloc float[6];
        for (int column = 0; column < rowLength; column++)
        {
            for (int i = 0; i < 6; i++)
            {
                float u = x[i * rowLength + column];
                float v = x[(i + 6) * rowLength + column];
                p[i] = u + v;
                q[i] = u - v;
            }
            for (int i = 0; i < 6; i++)
            {
                x[i * rowLength + column] = Paley12.ConferenceRow(i, p) + q[i];
                x[(i + 6) * rowLength + column] = Paley12.ConferenceRow(i, q) - p[i];
            }
        }
    }
}
