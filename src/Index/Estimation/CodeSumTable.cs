using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VectorDb.Index.Estimation;

/// <summary>
/// Per-query table for Σ_j w_j·values[code_j] over a packed LSB-first stream of b-bit codes (w = rotated or
/// projected query, values = codebook centroids or ±1 for QJL signs).
/// <para>
/// For b ∈ {1, 2, 4} a nibble of the stream holds 4/b whole codes, so the table has 16 entries per nibble,
/// T[n][v] = Σ_(codes i in nibble n) w_i·values[code_i(v)], and a score is one lookup per nibble (d·b/4 lookups).
/// Coordinates past d (padding bits, always 0) get weight 0. Other widths straddle nibble boundaries; they keep
/// w and values and look the centroid up per coordinate. Summation order is fixed (four interleaved float
/// accumulators), so a score is deterministic; it differs from a double-precision oracle by float rounding only.
/// </para>
/// </summary>
internal sealed class CodeSumTable
{
    private readonly int _dimension;
    private readonly int _bits;
    private readonly int _packedBytes;
    private readonly float[] _nibbleTable;
    private readonly float[] _weights;
    private readonly float[] _values;

    public CodeSumTable(int dimension, int bits)
    {
        _dimension = dimension;
        _bits = bits;
        _packedBytes = (int)(((long)dimension * bits + 7) / 8);
        bool nibbles = bits is 1 or 2 or 4;
        _nibbleTable = nibbles ? new float[_packedBytes * 2 * 16] : [];
        _weights = nibbles || bits == 0 ? [] : new float[dimension];
        _values = nibbles || bits == 0 ? [] : new float[1 << bits];
    }

    public void Build(ReadOnlySpan<float> weights, ReadOnlySpan<float> values)
    {
        if (_bits == 0)
        {
            return;
        }
        if (_nibbleTable.Length == 0)
        {
            weights.CopyTo(_weights);
            values.CopyTo(_values);
            return;
        }
        int perNibble = 4 / _bits;
        int mask = (1 << _bits) - 1;
        for (int nibble = 0; nibble < 2 * _packedBytes; nibble++)
        {
            int first = nibble * perNibble;
            for (int v = 0; v < 16; v++)
            {
                float sum = 0f;
                for (int i = 0; i < perNibble && first + i < _dimension; i++)
                {
                    sum += weights[first + i] * values[(v >> (i * _bits)) & mask];
                }
                _nibbleTable[nibble * 16 + v] = sum;
            }
        }
    }

    /// <summary>The sum for the codes at the start of <paramref name="packed"/>.</summary>
    public float Sum(ReadOnlySpan<byte> packed)
    {
        if (_bits == 0)
        {
            return 0f;
        }
        return _nibbleTable.Length != 0 ? NibbleSum(packed.Slice(0, _packedBytes)) : DirectSum(packed.Slice(0, _packedBytes));
    }

    private float NibbleSum(ReadOnlySpan<byte> packed)
    {
        ref float table = ref MemoryMarshal.GetArrayDataReference(_nibbleTable);
        ref byte codes = ref MemoryMarshal.GetReference(packed);
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int i = 0;
        for (; i + 2 <= packed.Length; i += 2)
        {
            int b0 = Unsafe.Add(ref codes, i);
            int b1 = Unsafe.Add(ref codes, i + 1);
            a0 += Unsafe.Add(ref table, i * 32 + (b0 & 15));
            a1 += Unsafe.Add(ref table, i * 32 + 16 + (b0 >> 4));
            a2 += Unsafe.Add(ref table, i * 32 + 32 + (b1 & 15));
            a3 += Unsafe.Add(ref table, i * 32 + 48 + (b1 >> 4));
        }
        if (i < packed.Length)
        {
            int b0 = Unsafe.Add(ref codes, i);
            a0 += Unsafe.Add(ref table, i * 32 + (b0 & 15));
            a1 += Unsafe.Add(ref table, i * 32 + 16 + (b0 >> 4));
        }
        return (a0 + a1) + (a2 + a3);
    }

    private float DirectSum(ReadOnlySpan<byte> packed)
    {
        int mask = (1 << _bits) - 1;
        float a0 = 0, a1 = 0;
        for (int j = 0; j < _dimension; j++)
        {
            int bit = j * _bits;
            int index = bit >> 3;
            int word = packed[index] | (index + 1 < packed.Length ? packed[index + 1] << 8 : 0);
            float term = _weights[j] * _values[(word >> (bit & 7)) & mask];
            if ((j & 1) == 0)
            {
                a0 += term;
            }
            else
            {
                a1 += term;
            }
        }
        return a0 + a1;
    }
}
