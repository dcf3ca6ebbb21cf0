using System.Text;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>GPT-2's reversible map from the 256 byte values to printable characters: printable
/// Latin-1 bytes map to themselves, the others to U+0100 upwards, so that every byte sequence is
/// a string of visible characters a vocabulary can hold.</summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = Build();
    private static readonly Dictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    private static char[] Build()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    public static char Encode(byte b) => ByteToChar[b];

    /// <summary>The UTF-8 bytes of <paramref name="text"/> as byte-level characters.</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        int count = Encoding.UTF8.GetByteCount(text);
        Span<byte> bytes = count <= 512 ? stackalloc byte[count] : new byte[count];
        Encoding.UTF8.GetBytes(text, bytes);
        return string.Create(count, bytes.ToArray(), static (span, b) =>
        {
            for (int i = 0; i < b.Length; i++) span[i] = ByteToChar[b[i]];
        });
    }

    /// <summary>Appends the bytes behind byte-level characters; returns false when a character is
    /// not part of the alphabet.</summary>
    public static bool TryDecode(string symbols, List<byte> into)
    {
        int before = into.Count;
        foreach (char c in symbols)
        {
            if (!CharToByte.TryGetValue(c, out byte b))
            {
                into.RemoveRange(before, into.Count - before);
                return false;
            }
            into.Add(b);
        }
        return true;
    }
}
