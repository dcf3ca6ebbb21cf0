using System.Globalization;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>The inputs on which Microsoft.ML.Tokenizers 2.0.1 gives other ids than the references
/// (sentencepiece, Hugging Face BERT), found by LibraryDifferentialTests; ours encodes these.</summary>
public static class LibraryDisagreements
{
    /// <summary>SentencePiece BPE: where a piece can merge at overlapping places ("!!!", "lll") the
    /// library merges another pair first ("Take a look !!!": "!!"+"!" instead of "!"+"!!").</summary>
    public static bool SentencePieceBpe(string text)
    {
        for (int i = 2; i < text.Length; i++)
            if (text[i] == text[i - 1] && text[i] == text[i - 2]) return true;
        return false;
    }

    /// <summary>SentencePiece Unigram: a character that is not a piece is spelled with byte pieces,
    /// and the library gives those bytes ids 255 too high (&lt;0x51&gt; → 339 instead of 84).</summary>
    public static bool SentencePieceUnigram(string text, IReadOnlySet<int> singleCharacterPieces)
    {
        foreach (var rune in text.EnumerateRunes())
            if (rune.Value != ' ' && !singleCharacterPieces.Contains(rune.Value)) return true;
        return false;
    }

    /// <summary>WordPiece (BERT): the library drops symbols ("$", "+", "=", "&lt;"; "♥" leaves its word)
    /// and other numbers ("³"), keeps "_" inside words, splits words at a soft hyphen and treats "\t"
    /// and "\n" as letters. BERT splits ASCII symbols and "_" off as punctuation, keeps "³" and "♥" in
    /// their word, deletes format characters and treats tabs and newlines as spaces. Only letters,
    /// marks, decimal digits, other punctuation and the plain space are left to the library.</summary>
    public static bool WordPiece(string text)
    {
        foreach (char c in text)
        {
            if (c == ' ') continue;
            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.ConnectorPunctuation:
                    return true;
                case UnicodeCategory.DecimalDigitNumber:
                case >= UnicodeCategory.UppercaseLetter and <= UnicodeCategory.EnclosingMark:
                case >= UnicodeCategory.DashPunctuation and <= UnicodeCategory.OtherPunctuation:
                    continue;
                default:
                    return true;
            }
        }
        return false;
    }
}
