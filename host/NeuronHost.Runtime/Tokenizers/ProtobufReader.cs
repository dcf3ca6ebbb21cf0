using System.Buffers.Binary;
using System.Text;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>The few protobuf wire-format primitives SentencePiece's ModelProto needs: varints,
/// 32/64-bit fixed values and length-delimited fields. Errors say which byte offset is bad.</summary>
internal ref struct ProtobufReader(ReadOnlySpan<byte> data, int baseOffset = 0)
{
    private readonly ReadOnlySpan<byte> data = data;
    private int pos;

    public readonly bool AtEnd => pos >= data.Length;
    public readonly int Offset => baseOffset + pos;

    /// <summary>Next field number and wire type.</summary>
    public (int Field, int WireType) ReadTag()
    {
        ulong tag = ReadVarint();
        int field = (int)(tag >> 3), wire = (int)(tag & 7);
        if (field <= 0) throw new FormatException($"field number 0 at byte {Offset}");
        return (field, wire);
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw new FormatException($"truncated varint at byte {Offset}");
            byte b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw new FormatException($"varint longer than 10 bytes at byte {Offset}");
    }

    public float ReadFloat()
    {
        if (pos + 4 > data.Length) throw new FormatException($"truncated float at byte {Offset}");
        float v = BinaryPrimitives.ReadSingleLittleEndian(data[pos..]);
        pos += 4;
        return v;
    }

    public ReadOnlySpan<byte> ReadBytes(out int startOffset)
    {
        ulong length = ReadVarint();
        startOffset = Offset;
        if (length > (ulong)(data.Length - pos))
            throw new FormatException($"a field of {length} bytes at byte {startOffset} runs past the end of the data");
        var slice = data.Slice(pos, (int)length);
        pos += (int)length;
        return slice;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes(out _));

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1: Advance(8); break;
            case 2: ReadBytes(out _); break;
            case 5: Advance(4); break;
            default: throw new FormatException($"unsupported wire type {wireType} at byte {Offset}");
        }
    }

    private void Advance(int n)
    {
        if (pos + n > data.Length) throw new FormatException($"truncated field at byte {Offset}");
        pos += n;
    }
}
