using System.Buffers.Binary;

namespace VectorDb.Datasets;

/// <summary>
/// Reads and writes the TEXMEX vector formats used by ANN benchmarks: every row is a little-endian int32
/// dimension followed by that many little-endian float32 (<c>.fvecs</c>) or int32 (<c>.ivecs</c>) values.
/// Rows are returned as one row-major array so that callers can slice them without copying.
/// </summary>
public static class Texmex
{
    /// <summary>Reads up to <paramref name="maxRows"/> rows of an .fvecs file.</summary>
    /// <exception cref="InvalidDataException">The file is truncated or its rows disagree on the dimension.</exception>
    public static VectorSet ReadFvecs(string path, int maxRows = int.MaxValue)
    {
        var (dim, rows, raw) = ReadRows(path, maxRows);
        var values = new float[(long)rows * dim];
        for (int r = 0; r < rows; r++)
        {
            var row = raw.AsSpan(r * (4 + 4 * dim) + 4, 4 * dim);
            for (int j = 0; j < dim; j++)
            {
                values[(long)r * dim + j] = BinaryPrimitives.ReadSingleLittleEndian(row.Slice(4 * j, 4));
            }
        }
        return new VectorSet(dim, rows, values);
    }

    /// <summary>Reads up to <paramref name="maxRows"/> rows of an .ivecs file as int rows of equal width.</summary>
    public static (int Width, int[][] Rows) ReadIvecs(string path, int maxRows = int.MaxValue)
    {
        var (dim, rows, raw) = ReadRows(path, maxRows);
        var result = new int[rows][];
        for (int r = 0; r < rows; r++)
        {
            var row = raw.AsSpan(r * (4 + 4 * dim) + 4, 4 * dim);
            result[r] = new int[dim];
            for (int j = 0; j < dim; j++)
            {
                result[r][j] = BinaryPrimitives.ReadInt32LittleEndian(row.Slice(4 * j, 4));
            }
        }
        return (dim, result);
    }

    /// <summary>Writes rows of equal dimension as an .fvecs file.</summary>
    public static void WriteFvecs(string path, VectorSet set)
    {
        using var stream = File.Create(path);
        Span<byte> word = stackalloc byte[4];
        for (int r = 0; r < set.Count; r++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(word, set.Dimension);
            stream.Write(word);
            foreach (float v in set.Row(r))
            {
                BinaryPrimitives.WriteSingleLittleEndian(word, v);
                stream.Write(word);
            }
        }
    }

    /// <summary>Writes int rows of equal width as an .ivecs file.</summary>
    public static void WriteIvecs(string path, IReadOnlyList<int[]> rows)
    {
        using var stream = File.Create(path);
        Span<byte> word = stackalloc byte[4];
        foreach (var row in rows)
        {
            BinaryPrimitives.WriteInt32LittleEndian(word, row.Length);
            stream.Write(word);
            foreach (int v in row)
            {
                BinaryPrimitives.WriteInt32LittleEndian(word, v);
                stream.Write(word);
            }
        }
    }

    private static (int Dim, int Rows, byte[] Raw) ReadRows(string path, int maxRows)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length < 4)
        {
            throw new InvalidDataException($"{path}: file is empty or shorter than one row header.");
        }
        Span<byte> header = stackalloc byte[4];
        stream.ReadExactly(header);
        int dim = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (dim <= 0 || dim > 1 << 20)
        {
            throw new InvalidDataException($"{path}: first row declares dimension {dim}; expected 1..{1 << 20}.");
        }
        long rowBytes = 4 + 4L * dim;
        if (stream.Length % rowBytes != 0)
        {
            throw new InvalidDataException(
                $"{path}: length {stream.Length} is not a multiple of the row size {rowBytes} (dimension {dim}); the file is truncated or mixes dimensions.");
        }
        long available = stream.Length / rowBytes;
        int rows = (int)Math.Min(available, maxRows);
        var raw = new byte[rows * rowBytes];
        stream.Position = 0;
        stream.ReadExactly(raw);
        for (int r = 0; r < rows; r++)
        {
            int rowDim = BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan((int)(r * rowBytes), 4));
            if (rowDim != dim)
            {
                throw new InvalidDataException($"{path}: row {r} (byte offset {r * rowBytes}) has dimension {rowDim}, row 0 has {dim}.");
            }
        }
        return (dim, rows, raw);
    }
}
