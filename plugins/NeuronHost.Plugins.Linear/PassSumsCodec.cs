using System.Buffers.Binary;

namespace NeuronHost.Plugins.Linear;

/// <summary>The bytes a holder of rows sends back for one pass: "NHPS", format 1, classes and
/// features (int32), then the loss, X̃ᵀ·R [classes, features] and the bias sums as little-endian
/// 128-bit integers (multiples of 2^−64). 16·(C·F + C + 1) + 16 bytes: 229 kB for 14 classes ×
/// 1,024 neurons. Read as hostile: a payload of another shape or length is refused, naming the sender.</summary>
internal static class PassSumsCodec
{
    private const uint Magic = 0x5350484E;   // "NHPS" read little-endian
    private const int Format = 1, HeaderBytes = 16, ValueBytes = 16;

    public static byte[] Encode(PassSums sums, int classes, int features)
    {
        if (sums.GradientT.Length != classes * features || sums.Bias.Length != classes)
            throw new ArgumentException($"the sums hold {sums.GradientT.Length} + {sums.Bias.Length} values, not {classes} × {features} + {classes}");
        var bytes = new byte[HeaderBytes + ValueBytes * (1 + sums.GradientT.Length + classes)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Format);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), classes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), features);
        int at = HeaderBytes;
        BinaryPrimitives.WriteInt128LittleEndian(bytes.AsSpan(at), sums.Loss); at += ValueBytes;
        foreach (var v in sums.GradientT) { BinaryPrimitives.WriteInt128LittleEndian(bytes.AsSpan(at), v); at += ValueBytes; }
        foreach (var v in sums.Bias) { BinaryPrimitives.WriteInt128LittleEndian(bytes.AsSpan(at), v); at += ValueBytes; }
        return bytes;
    }

    /// <summary>The sums in <paramref name="bytes"/>, which must be of this problem's shape.</summary>
    /// <param name="sender">Who sent them, for the error (e.g. "silo east, shard 3").</param>
    public static PassSums Decode(ReadOnlySpan<byte> bytes, int classes, int features, string sender)
    {
        long expected = HeaderBytes + ValueBytes * (1 + (long)classes * features + classes);
        if (bytes.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
            throw new InvalidDataException($"{sender}: the pass's sums do not start with NHPS ({bytes.Length} bytes)");
        int format = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (format != Format) throw new InvalidDataException($"{sender}: pass sums of format {format}; this NeuronHost reads format {Format}");
        int c = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]), f = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        if (c != classes || f != features)
            throw new InvalidDataException($"{sender}: pass sums for {c} classes × {f} features; this probe has {classes} × {features}");
        if (bytes.Length != expected)
            throw new InvalidDataException($"{sender}: pass sums of {bytes.Length} bytes; {classes} × {features} take {expected}");
        var sums = new PassSums(new Int128[classes * features], new Int128[classes]);
        int at = HeaderBytes;
        sums.Loss = BinaryPrimitives.ReadInt128LittleEndian(bytes[at..]); at += ValueBytes;
        for (int k = 0; k < sums.GradientT.Length; k++, at += ValueBytes) sums.GradientT[k] = BinaryPrimitives.ReadInt128LittleEndian(bytes[at..]);
        for (int k = 0; k < classes; k++, at += ValueBytes) sums.Bias[k] = BinaryPrimitives.ReadInt128LittleEndian(bytes[at..]);
        return sums;
    }
}
