using System.Buffers.Binary;

namespace NeuronHost.Plugins.Linear;

/// <summary>The bytes a holder of rows sends back for one pass: "NHPS", format 2, classes and
/// features (int32), then the loss, X̃ᵀ·R [classes, features] and the bias sums, each a 128-bit
/// integer (multiples of 2^−64) written zigzag-LEB128: 7 bits a byte, so a gradient sum of
/// 2^−13…2^−3 (2^51…2^61 units) takes 8–9 bytes instead of the 16 of its two's complement, whose
/// top bytes are copies of the sign (format 1 sent those: 229 kB for 14 classes × 1,024 neurons).
/// Read as hostile: a payload of another shape, a value cut short or longer than 128 bits, and
/// bytes after the last value are refused, naming the sender.</summary>
internal static class PassSumsCodec
{
    private const uint Magic = 0x5350484E;   // "NHPS" read little-endian
    private const int Format = 2, HeaderBytes = 16;
    /// <summary>The most bytes one value takes: ⌈128 / 7⌉.</summary>
    internal const int MaxValueBytes = 19;

    public static byte[] Encode(PassSums sums, int classes, int features)
    {
        if (sums.GradientT.Length != classes * features || sums.Bias.Length != classes)
            throw new ArgumentException($"the sums hold {sums.GradientT.Length} + {sums.Bias.Length} values, not {classes} × {features} + {classes}");
        var bytes = new byte[HeaderBytes + MaxValueBytes * (1 + sums.GradientT.Length + classes)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Format);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), classes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), features);
        int at = HeaderBytes;
        at = Write(bytes, at, sums.Loss);
        foreach (var v in sums.GradientT) at = Write(bytes, at, v);
        foreach (var v in sums.Bias) at = Write(bytes, at, v);
        return bytes[..at];
    }

    /// <summary>The sums in <paramref name="bytes"/>, which must be of this problem's shape.</summary>
    /// <param name="sender">Who sent them, for the error (e.g. "silo east, shard 3").</param>
    public static PassSums Decode(ReadOnlySpan<byte> bytes, int classes, int features, string sender)
    {
        if (bytes.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
            throw new InvalidDataException($"{sender}: the pass's sums do not start with NHPS ({bytes.Length} bytes)");
        int format = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (format != Format) throw new InvalidDataException($"{sender}: pass sums of format {format}; this NeuronHost reads format {Format}");
        int c = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]), f = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        if (c != classes || f != features)
            throw new InvalidDataException($"{sender}: pass sums for {c} classes × {f} features; this probe has {classes} × {features}");
        var sums = new PassSums(new Int128[classes * features], new Int128[classes]);
        int at = HeaderBytes, index = 0;
        sums.Loss = Read(bytes, ref at, index++, sender);
        for (int k = 0; k < sums.GradientT.Length; k++) sums.GradientT[k] = Read(bytes, ref at, index++, sender);
        for (int k = 0; k < classes; k++) sums.Bias[k] = Read(bytes, ref at, index++, sender);
        if (at != bytes.Length)
            throw new InvalidDataException($"{sender}: pass sums of {bytes.Length} bytes; their {index} values end at byte {at}");
        return sums;
    }

    private static int Write(byte[] into, int at, Int128 value)
    {
        var u = (UInt128)((value << 1) ^ (value >> 127));   // zigzag: small magnitudes of either sign stay small
        while (u >= 0x80)
        {
            into[at++] = (byte)((byte)u | 0x80);
            u >>= 7;
        }
        into[at++] = (byte)u;
        return at;
    }

    private static Int128 Read(ReadOnlySpan<byte> bytes, ref int at, int index, string sender)
    {
        UInt128 u = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (at >= bytes.Length)
                throw new InvalidDataException($"{sender}: the pass sums end after {bytes.Length} bytes, inside value {index}");
            byte b = bytes[at++];
            // the 19th byte holds the top 2 bits and ends the value
            if (shift == 7 * (MaxValueBytes - 1) && b > 0x03)
                throw new InvalidDataException($"{sender}: value {index} of the pass sums is longer than 128 bits");
            u |= (UInt128)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        return (Int128)(u >> 1) ^ -(Int128)(u & 1);
    }
}
