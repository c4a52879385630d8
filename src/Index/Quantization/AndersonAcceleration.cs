namespace VectorDb.Index.Quantization;

/// <summary>
/// Anderson acceleration (type II, Walker and Ni 2011) of a fixed-point iteration x ← T(x): keeps the last
/// <c>depth</c> differences of iterates ΔX and of residuals ΔF (f = T(x) − x), finds γ minimizing ‖f − ΔF·γ‖₂ and
/// proposes x + f − (ΔX + ΔF)·γ. Used only at codebook construction, so clarity beats speed here.
/// </summary>
internal sealed class AndersonAcceleration
{
    private const double Ridge = 1e-14;

    private readonly int _size;
    private readonly int _depth;
    private readonly double[][] _deltaX;
    private readonly double[][] _deltaF;
    private readonly double[] _previousX;
    private readonly double[] _previousF;
    private int _count;
    private int _next;
    private bool _hasPrevious;

    public AndersonAcceleration(int size, int depth)
    {
        _size = size;
        _depth = depth;
        _deltaX = new double[depth][];
        _deltaF = new double[depth][];
        for (int i = 0; i < depth; i++)
        {
            _deltaX[i] = new double[size];
            _deltaF[i] = new double[size];
        }
        _previousX = new double[size];
        _previousF = new double[size];
    }

    /// <summary>Forgets the history (after a rejected extrapolation).</summary>
    public void Reset()
    {
        _count = 0;
        _next = 0;
        _hasPrevious = false;
    }

    /// <summary>
    /// Records (x, f) and writes the accelerated next iterate to <paramref name="result"/>. Returns false when the
    /// small least-squares system is singular, in which case the caller should take the plain step.
    /// </summary>
    public bool Extrapolate(ReadOnlySpan<double> x, ReadOnlySpan<double> f, Span<double> result)
    {
        if (_hasPrevious)
        {
            for (int j = 0; j < _size; j++)
            {
                _deltaX[_next][j] = x[j] - _previousX[j];
                _deltaF[_next][j] = f[j] - _previousF[j];
            }
            _next = (_next + 1) % _depth;
            _count = Math.Min(_count + 1, _depth);
        }
        x.CopyTo(_previousX);
        f.CopyTo(_previousF);
        _hasPrevious = true;

        for (int j = 0; j < _size; j++)
        {
            result[j] = x[j] + f[j];
        }
        if (_count == 0)
        {
            return true;
        }
        // Normal equations (ΔFᵀΔF + ridge)·γ = ΔFᵀf, solved by Gaussian elimination with partial pivoting.
        int m = _count;
        var a = new double[m, m + 1];
        double scale = 0.0;
        for (int p = 0; p < m; p++)
        {
            for (int q = 0; q < m; q++)
            {
                a[p, q] = Dot(_deltaF[p], _deltaF[q]);
            }
            a[p, m] = Dot(_deltaF[p], f);
            scale = Math.Max(scale, a[p, p]);
        }
        if (!(scale > 0))
        {
            return false;
        }
        for (int p = 0; p < m; p++)
        {
            a[p, p] += Ridge * scale;
        }
        if (!Solve(a, m, out double[] gamma))
        {
            return false;
        }
        for (int p = 0; p < m; p++)
        {
            for (int j = 0; j < _size; j++)
            {
                result[j] -= gamma[p] * (_deltaX[p][j] + _deltaF[p][j]);
            }
        }
        return true;
    }

    private static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        double sum = 0.0;
        for (int j = 0; j < u.Length; j++)
        {
            sum += u[j] * v[j];
        }
        return sum;
    }

    private static bool Solve(double[,] a, int m, out double[] solution)
    {
        solution = new double[m];
        for (int col = 0; col < m; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < m; row++)
            {
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = row;
                }
            }
            if (a[pivot, col] == 0 || !double.IsFinite(a[pivot, col]))
            {
                return false;
            }
            for (int k = 0; k <= m; k++)
            {
                (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            }
            for (int row = col + 1; row < m; row++)
            {
                double factor = a[row, col] / a[col, col];
                for (int k = col; k <= m; k++)
                {
                    a[row, k] -= factor * a[col, k];
                }
            }
        }
        for (int row = m - 1; row >= 0; row--)
        {
            double sum = a[row, m];
            for (int k = row + 1; k < m; k++)
            {
                sum -= a[row, k] * solution[k];
            }
            solution[row] = sum / a[row, row];
        }
        return solution.All(double.IsFinite);
    }
}
