using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace NeuronHost.Fuzz.Tests.Support;

/// <summary>A real safetensors file taken apart (header JSON, data bytes) so a case can forge a
/// header the way an attacker or a buggy converter would, and put it back together.</summary>
public sealed class SafetensorsForge
{
    public JsonObject Header { get; }
    public byte[] Data { get; set; }
    public byte[] Original { get; }
    public int HeaderLength { get; }

    public SafetensorsForge(string path)
    {
        Original = File.ReadAllBytes(path);
        HeaderLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(Original);
        Header = JsonNode.Parse(Original.AsSpan(8, HeaderLength))!.AsObject();
        Data = Original[(8 + HeaderLength)..];
    }

    /// <summary>Tensor names in file order (by data offset).</summary>
    public List<string> TensorsByOffset() => Header.Where(p => p.Key != "__metadata__")
        .OrderBy(p => (long)p.Value!["data_offsets"]![0]!).Select(p => p.Key).ToList();

    public static byte[] Assemble(string headerJson, byte[] data, long headerLengthDelta = 0, bool pad = true)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        if (pad) header = [.. header, .. Enumerable.Repeat((byte)' ', (8 - header.Length % 8) % 8)];
        return AssembleRaw(header, data, headerLengthDelta);
    }

    public static byte[] AssembleRaw(byte[] header, byte[] data, long headerLengthDelta = 0)
    {
        var result = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)(header.Length + headerLengthDelta));
        header.CopyTo(result, 8);
        data.CopyTo(result, 8 + header.Length);
        return result;
    }

    public byte[] Build(long headerLengthDelta = 0) => Assemble(Header.ToJsonString(), Data, headerLengthDelta);
}
