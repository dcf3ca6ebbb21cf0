namespace NeuronHost.Sdk;

/// <summary>A contiguous run of rows of an activation matrix, row-major [Rows, Columns], over
/// memory the host owns (pooled or memory-mapped). Valid until the matrix is disposed.</summary>
public readonly struct ActivationBlock(long firstRow, int rows, int columns, ReadOnlyMemory<float> data)
{
    public long FirstRow { get; } = firstRow;
    public int Rows { get; } = rows;
    public int Columns { get; } = columns;
    public ReadOnlyMemory<float> Data { get; } = data;
    public ReadOnlySpan<float> Span => Data.Span;
    public ReadOnlySpan<float> Row(int row) => Data.Span.Slice(row * Columns, Columns);
}

/// <summary>A read-only activation matrix [tokens, neurons], possibly larger than memory: it is
/// read block by block (blocks cover the rows in order, without gaps). Column j is neuron
/// <c>Neurons[j]</c>.</summary>
public interface IActivationMatrix
{
    long Rows { get; }
    int Columns { get; }
    IReadOnlyList<NeuronRef> Neurons { get; }
    int BlockCount { get; }
    ActivationBlock GetBlock(int index);
}

/// <summary>An activation matrix held in one array (captures, tests, small splits).</summary>
public sealed class DenseActivationMatrix : IActivationMatrix
{
    private readonly ReadOnlyMemory<float> data;
    private readonly int rowsPerBlock;

    public DenseActivationMatrix(ReadOnlyMemory<float> data, int rows, IReadOnlyList<NeuronRef> neurons, int rowsPerBlock = 0)
    {
        if ((long)rows * neurons.Count != data.Length)
            throw new ArgumentException($"data has {data.Length} values, not {rows} × {neurons.Count}");
        this.data = data;
        Rows = rows;
        Neurons = neurons;
        this.rowsPerBlock = rowsPerBlock > 0 ? rowsPerBlock : Math.Max(rows, 1);
    }

    /// <summary>Columns named hookPoint[0..columns).</summary>
    public DenseActivationMatrix(ReadOnlyMemory<float> data, int rows, int columns, string hookPoint = "features", int rowsPerBlock = 0)
        : this(data, rows, Enumerable.Range(0, columns).Select(i => new NeuronRef(hookPoint, i)).ToArray(), rowsPerBlock) { }

    public long Rows { get; }
    public int Columns => Neurons.Count;
    public IReadOnlyList<NeuronRef> Neurons { get; }
    public int BlockCount => Rows == 0 ? 0 : (int)((Rows + rowsPerBlock - 1) / rowsPerBlock);
    public ReadOnlySpan<float> Span => data.Span;

    public ActivationBlock GetBlock(int index)
    {
        long first = (long)index * rowsPerBlock;
        int count = (int)Math.Min(rowsPerBlock, Rows - first);
        return new ActivationBlock(first, count, Columns, data.Slice((int)(first * Columns), count * Columns));
    }
}

public static class ActivationMatrixExtensions
{
    /// <summary>Copies the chosen columns of every row into a new dense row-major array
    /// [Rows, columns.Count]; what probes do before training on a neuron subset.</summary>
    public static float[] GatherColumns(this IActivationMatrix matrix, IReadOnlyList<int> columns, CancellationToken cancellation = default)
    {
        foreach (int c in columns)
            if ((uint)c >= (uint)matrix.Columns)
                throw new PluginInputException($"neuron column {c} is outside 0..{matrix.Columns - 1}");
        var result = new float[checked(matrix.Rows * columns.Count)];
        for (int b = 0; b < matrix.BlockCount; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            var block = matrix.GetBlock(b);
            var span = block.Span;
            for (int r = 0; r < block.Rows; r++)
            {
                int src = r * block.Columns;
                long dst = (block.FirstRow + r) * columns.Count;
                for (int j = 0; j < columns.Count; j++) result[dst + j] = span[src + columns[j]];
            }
        }
        return result;
    }

    /// <summary>The whole matrix as one dense array (copies when it is not already one).</summary>
    public static float[] ToArray(this IActivationMatrix matrix) =>
        matrix.GatherColumns(Enumerable.Range(0, matrix.Columns).ToArray());
}
