using System.Runtime.Intrinsics;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>The slow path after a cheap check saw a NaN/infinity: finds the first non-finite
/// cell in row order and throws <see cref="NonFiniteActivationException"/> naming it.</summary>
internal static class NonFinite
{
    public static NonFiniteActivationException Locate(IActivationMatrix x, string? what = null)
    {
        for (int b = 0; b < x.BlockCount; b++)
        {
            var block = x.GetBlock(b);
            var span = block.Span;
            for (int r = 0; r < block.Rows; r++)
            {
                int j = FirstNonFinite(span.Slice(r * block.Columns, block.Columns));
                if (j >= 0) return new NonFiniteActivationException(block.FirstRow + r, j, span[r * block.Columns + j]);
            }
        }
        throw new InvalidOperationException($"a non-finite value was seen in {what ?? "the activations"} but could not be located again (did the matrix change while it was read?)");
    }

    /// <summary>Index of the first NaN/±∞ in the span, or -1.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // x·0 is 0 for finite x and NaN for NaN/±∞; NaN is the only value unequal to itself.
            for (; j <= values.Length - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                var z = Vector256.Create(values[j..]) * Vector256<float>.Zero;
                if (!Vector256.EqualsAll(z, z)) break;
            }
        }
        for (; j < values.Length; j++)
            if (!float.IsFinite(values[j])) return j;
        return -1;
    }
}
