using System.Buffers.Binary;
using System.Text;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>SentencePiece's compiled normalisation rules (normalizer_spec.precompiled_charsmap,
/// e.g. nmt_nfkc): a Darts-clone double-array trie over UTF-8 byte sequences whose values index
/// NUL-terminated replacement strings. At each position the longest matching rule replaces its
/// bytes; unmatched characters are copied.</summary>
public sealed class PrecompiledCharsMap
{
    private readonly uint[] units;
    private readonly byte[] replacements;

    public PrecompiledCharsMap(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4) throw new FormatException("precompiled_charsmap is shorter than its 4-byte header");
        uint trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize > blob.Length - 4 || trieSize % 4 != 0)
            throw new FormatException($"precompiled_charsmap declares a trie of {trieSize} bytes in a {blob.Length}-byte blob");
        units = new uint[trieSize / 4];
        for (int i = 0; i < units.Length; i++) units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob[(4 + 4 * i)..]);
        replacements = blob[(4 + (int)trieSize)..].ToArray();
        if (units.Length == 0) throw new FormatException("precompiled_charsmap has an empty trie");
    }

    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;
    private static uint Value(uint unit) => unit & ((1u << 31) - 1);
    private static uint Label(uint unit) => unit & ((1u << 31) | 0xFF);
    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);

    /// <summary>Length and value of the longest rule matching the start of <paramref name="key"/>.</summary>
    private (int Length, uint Value) LongestMatch(ReadOnlySpan<byte> key)
    {
        int bestLength = 0; uint bestValue = 0;
        uint pos = Offset(units[0]);
        for (int i = 0; i < key.Length; i++)
        {
            pos ^= key[i];
            if (pos >= units.Length) break;
            uint unit = units[pos];
            if (Label(unit) != key[i]) break;
            pos ^= Offset(unit);
            if (pos >= units.Length) break;
            if (HasLeaf(unit)) { bestLength = i + 1; bestValue = Value(units[pos]); }
        }
        return (bestLength, bestValue);
    }

    public string Normalize(string text)
    {
        var input = Encoding.UTF8.GetBytes(text);
        var output = new List<byte>(input.Length + 8);
        int at = 0;
        while (at < input.Length)
        {
            var (length, value) = LongestMatch(input.AsSpan(at));
            if (length > 0 && value < replacements.Length)
            {
                int end = Array.IndexOf(replacements, (byte)0, (int)value);
                if (end < 0) end = replacements.Length;
                output.AddRange(replacements.AsSpan((int)value, end - (int)value).ToArray());
                at += length;
            }
            else
            {
                int charLength = Utf8Length(input[at]);
                charLength = Math.Min(Math.Max(charLength, 1), input.Length - at);
                for (int k = 0; k < charLength; k++) output.Add(input[at + k]);
                at += charLength;
            }
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static int Utf8Length(byte lead) => lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}
