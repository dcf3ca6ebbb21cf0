using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Gpu;

/// <summary>Copies row ranges of a matrix out of its blocks, in order, so a chunk can span
/// several small blocks or be a part of one large block. Blocks that do not cover the rows in
/// order, or hold fewer values than they claim, are an error naming the block.</summary>
internal sealed class BlockReader(IActivationMatrix matrix, string name)
{
    private int nextBlock;
    private ActivationBlock current;
    private bool hasCurrent;

    public void Copy(long first, int count, Span<float> destination)
    {
        int columns = matrix.Columns;
        long end = first + count, r = first;
        while (r < end)
        {
            if (!hasCurrent || r >= current.FirstRow + current.Rows)
            {
                if (nextBlock >= matrix.BlockCount)
                    throw new InvalidDataException($"{name}: blocks end before row {r} of {matrix.Rows}");
                current = matrix.GetBlock(nextBlock++);
                hasCurrent = true;
                if (current.Columns != columns || current.Data.Length < (long)current.Rows * columns)
                    throw new InvalidDataException($"{name}: block {nextBlock - 1} is {current.Rows} × {current.Columns} with {current.Data.Length} values, not rows × {columns}");
                continue;
            }
            if (r < current.FirstRow)
                throw new InvalidDataException($"{name}: block {nextBlock - 1} starts at row {current.FirstRow}, expected {r} (blocks must cover the rows in order)");
            int offset = (int)(r - current.FirstRow);
            int n = (int)Math.Min(end - r, current.Rows - offset);
            current.Span.Slice(offset * columns, n * columns).CopyTo(destination.Slice((int)(r - first) * columns));
            r += n;
        }
    }
}
