namespace VectorDb.Index.Rotation;

/// <summary>
/// The order-12 Hadamard matrix of the Kronecker blocks: Paley construction II for q = 5, which is symmetric.
/// <para>
/// WARNING: baked into every stored record (for dimensions with a 12·2^k block). C is the 6 × 6 symmetric
/// conference matrix [[0, 1ᵀ], [1, Q]] with Q[i][j] = χ(j - i) over GF(5), χ the quadratic character (residues 1, 4);
/// H_12 = [[C + I, C - I], [C - I, -C - I]], H_12 = H_12ᵀ, H_12·H_12 = 12·I.
/// </para>
/// <para>
/// Evaluation order (part of the bit-exact contract). With u = rows 0..5 and v = rows 6..11 of a column:
/// p = u + v, q = u - v (element-wise); output row i = C_i(p) + q_i and row 6+i = C_i(q) - p_i (i = 0..5), where
/// C_i(z) = Σ_(j≠i) C[i][j]·z_j accumulated left to right in increasing j, starting from the first term (whose
/// sign is + in every row). That is 72 additions per column instead of 132 for the dense matrix.
/// </para>
/// </summary>
internal static class Paley12
{
    /// <summary>Row-major 6 × 6 conference matrix C (entries 0, ±1).</summary>
    public static ReadOnlySpan<sbyte> Conference =>
    [
        0, 1, 1, 1, 1, 1,
        1, 0, 1, -1, -1, 1,
        1, 1, 0, 1, -1, -1,
        1, -1, 1, 0, 1, -1,
        1, -1, -1, 1, 0, 1,
        1, 1, -1, -1, 1, 0,
    ];

    /// <summary>C_row(z) in the documented order (scalar reference).</summary>
    public static float ConferenceRow(int row, ReadOnlySpan<float> z)
    {
        ReadOnlySpan<sbyte> c = Conference.Slice(row * 6, 6);
        bool first = true;
        float sum = 0f;
        for (int j = 0; j < 6; j++)
        {
            if (c[j] == 0)
            {
                continue;
            }
            if (first)
            {
                sum = z[j];
                first = false;
            }
            else
            {
                sum = c[j] > 0 ? sum + z[j] : sum - z[j];
            }
        }
        return sum;
    }
}
