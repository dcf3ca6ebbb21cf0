using System.Runtime.Intrinsics;

namespace NeuronHost.Runtime.Models.Safetensors;

/// <summary>bfloat16 → float32: a bfloat16 is the top half of a float32, so widening is a 16-bit
/// shift (exact; TensorPrimitives converts Half but not bfloat16).</summary>
internal static class HalfWidening
{
    public static void BFloat16ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException($"{destination.Length} floats for {source.Length} values");
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<ushort>.Count <= source.Length; i += Vector256<ushort>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.Create(source.Slice(i, Vector256<ushort>.Count)));
                Vector256.ShiftLeft(lower, 16).AsSingle().CopyTo(destination.Slice(i));
                Vector256.ShiftLeft(upper, 16).AsSingle().CopyTo(destination.Slice(i + Vector256<uint>.Count));
            }
        for (; i < source.Length; i++) destination[i] = BitConverter.Int32BitsToSingle(source[i] << 16);
    }
}
