using System.Runtime.CompilerServices;

namespace NeuronHost.Runtime.Models.Safetensors;

/// <summary>A float32 tensor of a checkpoint: either a view into the memory-mapped file (F32,
/// no copy) or a pinned array converted from F16/BF16. Valid while its checkpoint is open.</summary>
public sealed unsafe class Weight
{
    private readonly float* pointer;
    private readonly float[]? owned; // keeps the pinned converted copy alive

    public string Name { get; }
    public int[] Shape { get; }
    public int Length { get; }

    internal Weight(string name, int[] shape, float* pointer, int length)
    {
        Name = name; Shape = shape; this.pointer = pointer; Length = length;
    }

    internal Weight(string name, int[] shape, float[] pinned)
    {
        Name = name; Shape = shape; owned = pinned; Length = pinned.Length;
        pointer = (float*)Unsafe.AsPointer(ref pinned[0]);
    }

    /// <summary>A weight the runtime builds itself (tests, derived tensors).</summary>
    public static Weight FromArray(string name, int[] shape, float[] values)
    {
        var pinned = GC.AllocateUninitializedArray<float>(Math.Max(values.Length, 1), pinned: true);
        values.CopyTo(pinned, 0);
        return new Weight(name, shape, pinned);
    }

    public ReadOnlySpan<float> Span => new(pointer, Length);
    public bool IsMapped => owned is null;
}
