using ILGPU;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Gpu.OnDevice;

/// <summary>Masked intervention in place on a chunk [rows, columns]: thread (edit entry, row)
/// applies entries [first, first + count) of the edit list, in which no neuron appears twice.</summary>
internal static class EditKernel
{
    public static void ApplyEdit(Index2D index, ArrayView<float> x, int columns, ArrayView<byte> rowMask, int useMask,
        ArrayView<int> neurons, ArrayView<float> values, int first, int op)
    {
        int i = first + index.X, r = index.Y;
        if (useMask != 0 && rowMask[r] == 0) return;
        long o = (long)r * columns + neurons[i];
        float h = x[o], v = values[i];
        x[o] = op switch
        {
            (int)EditOp.Zero => 0f,
            (int)EditOp.Set => v,
            (int)EditOp.Add => h + v,
            (int)EditOp.Scale => h * v,
            _ => h + (h > 0f ? v : -v),
        };
    }
}
