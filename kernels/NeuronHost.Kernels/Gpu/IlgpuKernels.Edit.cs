using ILGPU;
using ILGPU.Runtime;
using NeuronHost.Kernels.Gpu.OnDevice;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Gpu;

public sealed partial class IlgpuKernels
{
    private Action<AcceleratorStream, Index2D, ArrayView<float>, int, ArrayView<byte>, int, ArrayView<int>, ArrayView<float>, int, int>? editKernel;

    /// <summary>Uploads x in chunks of rows within the budget, edits on the device, downloads.</summary>
    public void ApplyEdit(Span<float> x, int rows, int columns, ReadOnlySpan<bool> rowMask, NeuronEdit edit)
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
        editKernel ??= Accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<float>, int, ArrayView<byte>, int, ArrayView<int>, ArrayView<float>, int, int>(EditKernel.ApplyEdit);

        // A neuron listed twice is edited twice, in list order. Threads of one launch run in
        // parallel, so the list is cut into passes in which each neuron appears once: pass p
        // holds the p-th occurrence of each neuron.
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
        var passStart = new int[passes.Count + 1];
        for (int p = 0; p < passes.Count; p++) passStart[p + 1] = passStart[p] + passes[p].Neurons.Count;
        var mask = new byte[rowMask.IsEmpty ? 1 : rows];
        for (int i = 0; i < rowMask.Length; i++) mask[i] = rowMask[i] ? (byte)1 : (byte)0;
        bool useMask = !rowMask.IsEmpty;

        int chunkRows = RowsPerChunk((long)columns * 4, (long)columns * 4, 0, rows);
        LastRowsPerChunk = chunkRows;
        var stream = Accelerator.DefaultStream;
        using var chunk = Accelerator.Allocate1D<float>(Math.Max((long)chunkRows * columns, 1));
        using var neuronBuffer = Accelerator.Allocate1D(passes.SelectMany(p => p.Neurons).ToArray());
        using var valueBuffer = Accelerator.Allocate1D(passes.SelectMany(p => p.Values).ToArray());
        using var maskBuffer = Accelerator.Allocate1D(mask);
        for (int first = 0; first < rows; first += chunkRows)
        {
            int n = Math.Min(chunkRows, rows - first);
            long values = (long)n * columns;
            var host = x.Slice((int)((long)first * columns), (int)values);
            var view = chunk.View.SubView(0, values);
            view.CopyFromCPU(stream, host);
            var chunkMask = useMask ? maskBuffer.View.SubView(first, n) : maskBuffer.View;
            for (int p = 0; p < passes.Count; p++)
                editKernel(stream, new Index2D(passStart[p + 1] - passStart[p], n), view, columns, chunkMask, useMask ? 1 : 0,
                    neuronBuffer.View, valueBuffer.View, passStart[p], (int)edit.Op);
            view.CopyToCPU(stream, host);
            stream.Synchronize();
        }
    }
}
