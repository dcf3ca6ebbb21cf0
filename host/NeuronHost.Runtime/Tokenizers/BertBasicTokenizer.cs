using System.Globalization;
using System.Text;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>BERT's basic tokenisation before WordPiece: drop control characters, turn every
/// whitespace into a space, put spaces around CJK ideographs, NFC, lowercase and strip accents
/// (uncased models), then split on whitespace and on every punctuation character.</summary>
public sealed class BertBasicTokenizer(bool lowercase = true, bool? stripAccents = null, bool splitCjk = true, bool cleanText = true)
{
    public bool Lowercase { get; } = lowercase;
    /// <summary>Null: strip accents exactly when lowercasing (Hugging Face's default).</summary>
    public bool StripAccents { get; } = stripAccents ?? lowercase;

    public List<string> Tokenize(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cleanText && (cp == 0 || cp == 0xFFFD || IsControl(rune))) continue;
            if (IsWhitespace(rune)) sb.Append(' ');
            else if (splitCjk && IsCjk(cp)) sb.Append(' ').Append(rune.ToString()).Append(' ');
            else sb.Append(rune.ToString());
        }
        string cleaned = sb.ToString().Normalize(NormalizationForm.FormC);

        var output = new List<string>();
        foreach (var word in cleaned.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            string w = word;
            if (Lowercase) w = w.ToLowerInvariant();
            if (StripAccents) w = RemoveAccents(w);
            SplitOnPunctuation(w, output);
        }
        return output;
    }

    private static void SplitOnPunctuation(string word, List<string> output)
    {
        int start = 0, i = 0;
        while (i < word.Length)
        {
            Rune.DecodeFromUtf16(word.AsSpan(i), out var rune, out int width);
            if (IsPunctuation(rune))
            {
                if (i > start) output.Add(word[start..i]);
                output.Add(word.Substring(i, width));
                start = i + width;
            }
            i += width;
        }
        if (start < word.Length) output.Add(word[start..]);
    }

    private static string RemoveAccents(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark) sb.Append(rune.ToString());
        return sb.ToString();
    }

    private static bool IsWhitespace(Rune r) =>
        r.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    /// <summary>Python's category "C*" except tab and newlines.</summary>
    private static bool IsControl(Rune r)
    {
        if (r.Value is '\t' or '\n' or '\r') return false;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
    }

    /// <summary>ASCII non-alphanumeric symbols count as punctuation too ("$", "^", "`").</summary>
    public static bool IsPunctuation(Rune r)
    {
        int cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>The CJK Unified Ideograph blocks BERT separates (not Hangul, Hiragana, Katakana).</summary>
    public static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
