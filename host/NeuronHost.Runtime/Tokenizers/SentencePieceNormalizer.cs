using System.Text;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>SentencePiece's text normalisation: character normalisation (identity, or NFKC for
/// the nmt_nfkc/nfkc rules), optional removal of extra spaces, the dummy prefix space, and
/// spaces written as ▁ (U+2581).</summary>
public sealed record SentencePieceNormalizer
{
    public const char Space = '\u2581';

    public bool Nfkc { get; init; }
    /// <summary>The model's compiled rules; used instead of <see cref="Nfkc"/> when present.</summary>
    public PrecompiledCharsMap? CharsMap { get; init; }
    public bool AddDummyPrefix { get; init; } = true;
    public bool RemoveExtraWhitespaces { get; init; }
    public bool EscapeWhitespaces { get; init; } = true;
    public bool WhitespaceAsSuffix { get; init; }
    /// <summary>tokenizer.json Metaspace prepend_scheme "first": text after a special token
    /// gets no dummy space.</summary>
    public bool PrependFirstSegmentOnly { get; init; }

    public static SentencePieceNormalizer From(SentencePieceModel model) => new()
    {
        // Identity (Llama's choice) leaves text as it is; other rules come compiled in the model
        // (NFKC is the fallback for a model that names nfkc without shipping them).
        Nfkc = model.NormalizerName.Contains("nfkc", StringComparison.OrdinalIgnoreCase),
        CharsMap = model.PrecompiledCharsMap.Length > 0 ? new PrecompiledCharsMap(model.PrecompiledCharsMap) : null,
        AddDummyPrefix = model.AddDummyPrefix,
        RemoveExtraWhitespaces = model.RemoveExtraWhitespaces,
        EscapeWhitespaces = model.EscapeWhitespaces,
        WhitespaceAsSuffix = model.TreatWhitespaceAsSuffix,
    };

    /// <summary>The text as the model's pieces spell it; <paramref name="dummyPrefix"/> overrides
    /// whether the dummy space is added (word alignment adds it for every word after the first).</summary>
    public string Normalize(string text, bool? dummyPrefix = null)
    {
        if (text.Length == 0) return "";
        string s = CharsMap is not null ? CharsMap.Normalize(text) : Nfkc ? text.Normalize(NormalizationForm.FormKC) : text;
        if (RemoveExtraWhitespaces)
        {
            var sb = new StringBuilder(s.Length);
            foreach (char c in s)
            {
                if (c == ' ' && (sb.Length == 0 || sb[^1] == ' ')) continue;
                sb.Append(c);
            }
            if (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
            s = sb.ToString();
            if (s.Length == 0) return "";
        }
        if (dummyPrefix ?? AddDummyPrefix) s = WhitespaceAsSuffix ? s + " " : " " + s;
        return EscapeWhitespaces ? s.Replace(' ', Space) : s;
    }
}
