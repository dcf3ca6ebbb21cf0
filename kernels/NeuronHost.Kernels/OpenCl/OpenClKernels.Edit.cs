using NeuronHost.Sdk;

namespace NeuronHost.Kernels.OpenCl;

public sealed partial class OpenClKernels
{
    /// <summary>Uploads x (in chunks of rows within the budget), edits on the device, downloads.</summary>
    public unsafe void ApplyEdit(Span<float> x, int rows, int columns, ReadOnlySpan<bool> rowMask, NeuronEdit edit)
    {
        using var serial = Serialize();
        if (rows < 0 || columns < 0) throw new ArgumentException($"negative size {rows} × {columns}");
        if ((long)rows * columns > x.Length) throw new ArgumentException($"x has {x.Length} values, fewer than {rows} × {columns}");
        if (!rowMask.IsEmpty && rowMask.Length != rows) throw new ArgumentException($"row mask has {rowMask.Length} entries for {rows} rows");
        var neurons = edit.Neurons;
        if (edit.Values is { } vs && vs.Length != neurons.Length)
            throw new ArgumentException($"edit has {vs.Length} values for {neurons.Length} neurons");
        foreach (int n in neurons)
            if ((uint)n >= (uint)columns) throw new ArgumentException($"edited neuron column {n} is outside 0..{columns - 1}");
        if (rows == 0 || neurons.Length == 0) return;

        // A neuron listed twice is edited twice, in list order (as the definition applies the list
        // sequentially). Work-items of one launch run in parallel, so the list is cut into passes
        // in which each neuron appears once: pass p holds the p-th occurrence of each neuron.
        var passes = new List<(List<int> Neurons, List<float> Values)>();
        var seen = new Dictionary<int, int>();
        for (int i = 0; i < neurons.Length; i++)
        {
            int p = seen.TryGetValue(neurons[i], out var c) ? c : 0;
            seen[neurons[i]] = p + 1;
            if (p == passes.Count) passes.Add(([], []));
            passes[p].Neurons.Add(neurons[i]);
            passes[p].Values.Add(edit.ValueFor(i));
        }
        // Flattened: pass p is the range [passStart[p], passStart[p + 1]).
        var flatNeurons = passes.SelectMany(p => p.Neurons).ToArray();
        var values = passes.SelectMany(p => p.Values).ToArray();
        var passStart = new int[passes.Count + 1];
        for (int p = 0; p < passes.Count; p++) passStart[p + 1] = passStart[p] + passes[p].Neurons.Count;
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
                var buffer = ctx.RentChunkBuffer((long)chunkRows * columns * 4, "edit chunk");
                using var giveBack = new PoolReturn(ctx, buffer);
                using var neuronBuf = ctx.Buffer<int>(flatNeurons, "edited neurons");
                using var valueBuf = ctx.Buffer<float>(values, "edit values");
                using var maskBuf = ctx.Buffer<byte>(mask, "row mask");
                using var kernel = Kernel("edit.cl", "apply_edit");
                int group = neurons.Length >= 64 ? 64 : neurons.Length >= 16 ? 16 : 1;
                for (int first = 0; first < rows; first += chunkRows)
                {
                    int n = Math.Min(chunkRows, rows - first);
                    long bytes = (long)n * columns * 4;
                    float* chunk = p + (long)first * columns;
                    ClErrors.Check(ctx.Api.EnqueueWriteBuffer(ctx.ComputeQueue, buffer.Handle, 0, 0, (nuint)bytes, chunk, 0, null, null),
                        "clEnqueueWriteBuffer", "to 'edit chunk'");
                    // The mask is indexed from the chunk's first row: copy the chunk's part to the front.
                    if (useMask && first > 0) ctx.Write<byte>(maskBuf, mask.AsSpan(first, n));
                    for (int p = 0; p < passes.Count; p++)
                    {
                        kernel.Arg(0, buffer).Arg(1, n).Arg(2, columns).Arg(3, maskBuf).Arg(4, useMask ? 1 : 0)
                            .Arg(5, neuronBuf).Arg(6, valueBuf).Arg(7, passStart[p]).Arg(8, passStart[p + 1] - passStart[p]).Arg(9, (int)edit.Op);
                        Track(kernel.Launch(ctx.ComputeQueue, [passStart[p + 1] - passStart[p], n], [group, 1])).Release();
                    }
                    ClErrors.Check(ctx.Api.EnqueueReadBuffer(ctx.ComputeQueue, buffer.Handle, 1, 0, (nuint)bytes, chunk, 0, null, null),
                        "clEnqueueReadBuffer", "from 'edit chunk'");
                }
                return 0;
            });
        }
    }

    private readonly struct PoolReturn(ClContext ctx, ClBuffer buffer) : IDisposable
    {
        public void Dispose() => ctx.ReturnChunkBuffer(buffer);
    }
}
