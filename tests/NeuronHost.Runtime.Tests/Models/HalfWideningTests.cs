using System.Text;
using NeuronHost.Runtime.Models.Safetensors;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>16-bit tensors are read in chunks and widened in parallel: tensors longer than a
/// chunk, with a tail that is not a whole vector, come out as the definitions say — bfloat16 as
/// its bits shifted into the top of a float32 (NaN payloads included), float16 as .NET's scalar
/// Half → float conversion.</summary>
public sealed class HalfWideningTests
{
    [Fact]
    public void Long_bf16_and_f16_tensors_widen_exactly_across_chunks()
    {
        const int n = (1 << 20) * 2 + 37;
        var rng = new Random(9);
        var brain = new ushort[n];
        var half = new ushort[n];
        for (int i = 0; i < n; i++)
        {
            brain[i] = (ushort)rng.Next(0x10000);   // every pattern, NaNs and infinities too
            Half h;
            do h = BitConverter.UInt16BitsToHalf((ushort)rng.Next(0x10000)); while (!Half.IsFinite(h));
            half[i] = BitConverter.HalfToUInt16Bits(h);
        }
        string dir = Directory.CreateTempSubdirectory("nh-widen-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.safetensors");
            Write(path, ("brain", "BF16", brain), ("half", "F16", half));
            using var file = new SafetensorsFile(path);
            var b = file.Read(file.Entries["brain"]);
            var h = file.Read(file.Entries["half"]);
            Assert.False(b.IsMapped);
            var bs = b.Span; var hs = h.Span;
            for (int i = 0; i < n; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(bs[i]) == brain[i] << 16, $"bf16 value {i}: {brain[i]:X4} → {BitConverter.SingleToInt32Bits(bs[i]):X8}");
                Assert.True(BitConverter.SingleToInt32Bits(hs[i]) == BitConverter.SingleToInt32Bits((float)BitConverter.UInt16BitsToHalf(half[i])), $"f16 value {i}");
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    private static void Write(string path, params (string Name, string DType, ushort[] Values)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var (name, dtype, values) in tensors)
        {
            header.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{values.Length}],\"data_offsets\":[{offset},{offset + 2L * values.Length}]}},");
            offset += 2L * values.Length;
        }
        header[^1] = '}';
        while (header.Length % 8 != 0) header.Append(' ');
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((ulong)header.Length));
        f.Write(Encoding.ASCII.GetBytes(header.ToString()));
        foreach (var (_, _, values) in tensors) f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
