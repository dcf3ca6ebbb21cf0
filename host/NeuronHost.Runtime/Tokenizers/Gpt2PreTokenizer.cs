using System.Buffers;
using System.Globalization;
using System.Text;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>GPT-2's pre-tokenisation, the pattern
/// <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>, matched
/// over code points (as Python's regex module and JavaScript's /u flag do; .NET's Regex would
/// see an astral letter as two surrogates). \s is Unicode White_Space, as in .NET and Python.</summary>
public static class Gpt2PreTokenizer
{
    private enum Kind { Letter, Number, Space, Other }

    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    /// <summary>The pieces of <paramref name="text"/> as (start, length) in UTF-16 units.</summary>
    public static List<(int Start, int Length)> Split(string text)
    {
        var result = new List<(int, int)>();
        int i = 0, n = text.Length;
        while (i < n)
        {
            int end = MatchAt(text, i);
            result.Add((i, end - i));
            i = end;
        }
        return result;
    }

    private static Kind KindAt(string text, int i, out int width)
    {
        if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out width) != OperationStatus.Done)
        {
            width = 1;
            return Kind.Other;
        }
        if (Rune.IsWhiteSpace(rune)) return Kind.Space;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Kind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Kind.Number,
            _ => Kind.Other,
        };
    }

    /// <summary>End (exclusive) of the first alternative that matches at <paramref name="i"/>.</summary>
    private static int MatchAt(string text, int i)
    {
        int n = text.Length;
        if (text[i] == '\'')
            foreach (var c in Contractions)
                if (string.CompareOrdinal(text, i, c, 0, c.Length) == 0) return i + c.Length;

        // ` ?X+` for X in letters, numbers, others: an optional U+0020 then a run of one class.
        int start = i;
        if (text[i] == ' ' && i + 1 < n) start = i + 1;
        var kind = KindAt(text, start, out int w);
        if (kind != Kind.Space)
            return RunEnd(text, start + w, kind);
        if (start != i)
        {
            // The optional space was taken but a space follows: try the class of the space itself.
            kind = KindAt(text, i, out w);
            if (kind != Kind.Space) return RunEnd(text, i + w, kind);
        }

        // Whitespace: `\s+(?!\S)` keeps the last space for the next word; else `\s+`.
        int runEnd = RunEnd(text, i, Kind.Space);
        if (runEnd == n) return runEnd;
        int last = runEnd - 1;
        if (char.IsLowSurrogate(text[last]) && last > i) last--;
        return last > i ? last : runEnd;
    }

    private static int RunEnd(string text, int j, Kind kind)
    {
        while (j < text.Length)
        {
            if (KindAt(text, j, out int w) != kind) break;
            j += w;
        }
        return j;
    }
}
