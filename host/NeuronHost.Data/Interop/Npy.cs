using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NeuronHost.Data.Interop;

/// <summary>NumPy's .npy format: magic "\x93NUMPY", version, header length, a Python-literal
/// dict header ({'descr': '&lt;f4', 'fortran_order': False, 'shape': (rows, cols), }) padded
/// with spaces and a newline so the data starts on a 64-byte boundary, then the raw C-order data.</summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The header (magic through padding) of a version 1.0 file of float32 [rows, columns].</summary>
    public static byte[] Float32Header(long rows, int columns)
    {
        string dict = FormattableString.Invariant($"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1; // + '\n'
        int padding = (64 - unpadded % 64) % 64;
        string header = dict + new string(' ', padding) + "\n";
        if (header.Length > ushort.MaxValue) throw new InvalidOperationException("npy header too long for version 1.0");
        var bytes = new byte[Magic.Length + 4 + header.Length];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1; bytes[7] = 0;
        bytes[8] = (byte)(header.Length & 0xff); bytes[9] = (byte)(header.Length >> 8);
        Encoding.ASCII.GetBytes(header, 0, header.Length, bytes, 10);
        return bytes;
    }

    public sealed record Header(string Descr, bool FortranOrder, long[] Shape, long DataOffset);

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRegex();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();

    public static Header ReadHeader(Stream stream, string path)
    {
        Span<byte> start = stackalloc byte[10];
        if (stream.Read(start) != 10 || !start[..6].SequenceEqual(Magic))
            throw new FormatException($"{path}: not a .npy file (bad magic)");
        int major = start[6];
        long headerLength;
        int prefix;
        if (major == 1) { headerLength = start[8] | (start[9] << 8); prefix = 10; }
        else if (major is 2 or 3)
        {
            Span<byte> more = stackalloc byte[2];
            if (stream.Read(more) != 2) throw new FormatException($"{path}: truncated .npy header");
            headerLength = start[8] | (start[9] << 8) | (more[0] << 16) | (more[1] << 24);
            prefix = 12;
        }
        else throw new FormatException($"{path}: .npy version {major}.{start[7]} is not supported");
        var header = new byte[headerLength];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) != header.Length)
            throw new FormatException($"{path}: truncated .npy header");
        string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);
        var descr = DescrRegex().Match(text);
        var fortran = FortranRegex().Match(text);
        var shape = ShapeRegex().Match(text);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new FormatException($"{path}: .npy header lacks descr/fortran_order/shape: {text.Trim()}");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        return new Header(descr.Groups[1].Value, fortran.Groups[1].Value == "True", dims, prefix + headerLength);
    }
}
