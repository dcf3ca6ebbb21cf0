using NeuronHost.Sdk;

namespace NeuronHost.Kernels.OpenCl;

public sealed partial class OpenClKernels
{
    /// <summary>Uploads x (in chunks of rows within the budget), edits on the device, downloads.</summary>
    public unsafe void ApplyEdit(Span<float> x, int rows, int columns, ReadOnlySpan<bool> rowMask, NeuronEdit edit)
    {
        if (rows < 0 || columns < 0) throw new ArgumentException($"negative size {rows} × {columns}");
        if ((long)rows * columns > x.Length) throw new ArgumentException($"x has {x.Length} values, fewer than {rows} × {columns}");
        if (!rowMask.IsEmpty && rowMask.Length != rows) throw new ArgumentException($"row mask has {rowMask.Length} entries for {rows} rows");
        var neurons = edit.Neurons;
        if (edit.Values is { } vs && vs.Length != neurons.Length)
            throw new ArgumentException($"edit has {vs.Length} values for {neurons.Length} neurons");
        foreach (int n in neurons)
            if ((uint)n >= (uint)columns) throw new ArgumentException($"edited neuron column {n} is outside 0..{columns - 1}");
        if (rows == 0 || neurons.Length == 0) return;

        var values = new float[neurons.Length];
        for (int i = 0; i < values.Length; i++) values[i] = edit.ValueFor(i);
        var mask = new byte[rowMask.IsEmpty ? 1 : rows];
        for (int i = 0; i < rowMask.Length; i++) mask[i] = rowMask[i] ? (byte)1 : (byte)0;

        bool useMask = !rowMask.IsEmpty;
        int rowsPerChunk = RowsPerChunk((long)columns * 4 + 1, (long)columns * 4, 0, rows);
        fixed (float* px = x)
        {
            float* p = px;
            WithChunkRetry(rowsPerChunk, chunkRows =>
            {
                if (Options.SimulatedAllocationLimitBytes is { } limit && (long)chunkRows * columns * 4 > limit)
                    throw new OpenClException("clCreateBuffer", ClErrors.MemObjectAllocationFailure, $"for 'edit chunk' (simulated device limit {limit:N0})");
                LastRowsPerChunk = chunkRows;
                using var buffer = ctx.Buffer((long)chunkRows * columns * 4, "edit chunk");
                using var neuronBuf = ctx.Buffer<int>(neurons, "edited neurons");
                using var valueBuf = ctx.Buffer<float>(values, "edit values");
                using var maskBuf = ctx.Buffer<byte>(mask, "row mask");
                using var kernel = ctx.Kernel("edit.cl", "apply_edit");
                int group = neurons.Length >= 64 ? 64 : neurons.Length >= 16 ? 16 : 1;
                for (int first = 0; first < rows; first += chunkRows)
                {
                    int n = Math.Min(chunkRows, rows - first);
                    long bytes = (long)n * columns * 4;
                    float* chunk = p + (long)first * columns;
                    ClErrors.Check(ctx.Api.EnqueueWriteBuffer(ctx.ComputeQueue, buffer.Handle, 0, 0, (nuint)bytes, chunk, 0, null, null),
                        "clEnqueueWriteBuffer", "to 'edit chunk'");
                    kernel.Arg(0, buffer).Arg(1, n).Arg(2, columns).Arg(3, maskBuf).Arg(4, useMask ? 1 : 0)
                        .Arg(5, neuronBuf).Arg(6, valueBuf).Arg(7, neurons.Length).Arg(8, (int)edit.Op);
                    // The mask is indexed from the chunk's first row: pass it as an offset via a sub-range copy.
                    if (useMask && first > 0) ctx.Write<byte>(maskBuf, mask.AsSpan(first, n));
                    kernel.Launch(ctx.ComputeQueue, [neurons.Length, n], [group, 1]).Release();
                    ClErrors.Check(ctx.Api.EnqueueReadBuffer(ctx.ComputeQueue, buffer.Handle, 1, 0, (nuint)bytes, chunk, 0, null, null),
                        "clEnqueueReadBuffer", "from 'edit chunk'");
                }
                return 0;
            });
        }
    }
}
