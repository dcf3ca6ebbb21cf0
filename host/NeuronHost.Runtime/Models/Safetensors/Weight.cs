using System.Runtime.CompilerServices;

namespace NeuronHost.Runtime.Models.Safetensors;

/// <summary>A float32 tensor of a checkpoint: a view into the memory-mapped file (F32, no copy),
/// native memory the checkpoint converted from F16/BF16, or a pinned array (unaligned F32, tensors
/// the runtime builds). Valid while its checkpoint is open.</summary>
public sealed unsafe class Weight
{
    private readonly float* pointer;
    private readonly float[]? owned; // keeps the pinned converted copy alive

    public string Name { get; }
    public int[] Shape { get; }
    public int Length { get; }

    private readonly bool mapped;

    internal Weight(string name, int[] shape, float* pointer, int length, bool mapped = true)
    {
        Name = name; Shape = shape; this.pointer = pointer; Length = length; this.mapped = mapped;
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
    /// <summary>A view into the checkpoint file's mapping (no copy was made).</summary>
    public bool IsMapped => mapped && owned is null;
}
