using System.Buffers.Binary;
using System.IO.Compression;

namespace NeuronHost.Host.Tests.Report;

/// <summary>A minimal PNG reader (8-bit RGB/RGBA, non-interlaced — what Chromium writes) so tests
/// can look at the pixels of a screenshot.</summary>
public sealed class PngImage
{
    public int Width { get; private init; }
    public int Height { get; private init; }
    /// <summary>RGB per pixel, row-major.</summary>
    public byte[] Rgb { get; private init; } = [];

    public static PngImage Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8 || bytes[1] != 'P' || bytes[2] != 'N' || bytes[3] != 'G') throw new InvalidDataException($"{path} is not a PNG");
        int pos = 8, width = 0, height = 0, colorType = 0;
        using var idat = new MemoryStream();
        while (pos < bytes.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(bytes, pos + 4, 4);
            var data = bytes.AsSpan(pos + 8, len);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data); height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[12] != 0) throw new InvalidDataException("only 8-bit non-interlaced PNGs");
                colorType = data[9];
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            pos += 12 + len;
        }
        int channels = colorType switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"PNG colour type {colorType}") };
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        int stride = width * channels;
        var raw = new byte[height * (stride + 1)];
        z.ReadExactly(raw);
        var prev = new byte[stride]; var cur = new byte[stride];
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (stride + 1)];
            Array.Copy(raw, y * (stride + 1) + 1, cur, 0, stride);
            for (int i = 0; i < stride; i++)
            {
                int a = i >= channels ? cur[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
                cur[i] = (byte)(cur[i] + filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG filter {filter}"),
                });
            }
            for (int x = 0; x < width; x++)
                for (int ch = 0; ch < 3; ch++) rgb[(y * width + x) * 3 + ch] = cur[x * channels + ch];
            (prev, cur) = (cur, prev);
        }
        return new PngImage { Width = width, Height = height, Rgb = rgb };
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    public int DistinctColors() =>
        Enumerable.Range(0, Width * Height).Select(i => (Rgb[3 * i] << 16) | (Rgb[3 * i + 1] << 8) | Rgb[3 * i + 2]).Distinct().Count();

    public double NonWhiteFraction() =>
        (double)Enumerable.Range(0, Width * Height).Count(i => Rgb[3 * i] < 245 || Rgb[3 * i + 1] < 245 || Rgb[3 * i + 2] < 245) / (Width * Height);

    /// <summary>Pixels close to the given colour (saturated series colours show the plots were drawn).</summary>
    public int CountNear(byte r, byte g, byte b, int tolerance = 30) =>
        Enumerable.Range(0, Width * Height).Count(i => Math.Abs(Rgb[3 * i] - r) <= tolerance && Math.Abs(Rgb[3 * i + 1] - g) <= tolerance && Math.Abs(Rgb[3 * i + 2] - b) <= tolerance);
}
