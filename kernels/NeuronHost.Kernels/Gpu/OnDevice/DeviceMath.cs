using ILGPU;

namespace NeuronHost.Kernels.Gpu.OnDevice;

/// <summary>Helpers the device kernels share (compiled into each kernel).</summary>
internal static class DeviceMath
{
    /// <summary>NaN or ±∞: all exponent bits set (a bit test, the same on every ILGPU backend).</summary>
    public static bool NotFinite(float v) => (Interop.FloatAsInt(v) & 0x7F800000) == 0x7F800000;

    /// <summary>Records chunk-local row <paramref name="row"/> as non-finite; the smallest wins.</summary>
    public static void FlagRow(ArrayView<int> bad, int row) => Atomic.Min(ref bad[0], row);
}
