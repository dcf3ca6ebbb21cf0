using NeuronHost.Data.Corpora;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Extraction;

/// <summary>Encodes a sentence's original text (CoNLL-U <c># text</c>) — what the model saw in
/// training, not its words joined by spaces — and aligns each syntactic word to the tokens that
/// overlap it in characters. The words of a multiword token ("do" + "n't" of "don't") both take
/// the span of the surface token. A token that straddles two words (".)" read as one token)
/// belongs to both.</summary>
public static class TextAlignment
{
    /// <summary>The alignment, or null with the reason when the sentence cannot be read as text:
    /// no <c># text</c>, forms that are not found in order in the text, or a tokenizer whose
    /// decoding does not give the text back (a lowercasing WordPiece), so characters cannot be
    /// mapped to tokens.</summary>
    public static SentenceTokens? Align(CorpusSentence sentence, ITokenizer tokenizer, bool addSpecialTokens, out string? reason)
    {
        reason = null;
        if (string.IsNullOrEmpty(sentence.Text)) { reason = "no # text"; return null; }
        string text = sentence.Text;
        var surfaceStarts = SurfaceStarts(sentence, text);
        if (surfaceStarts is null) { reason = "forms do not match # text"; return null; }

        var body = tokenizer.Encode(text, addSpecialTokens: false);
        var ends = TokenEnds(tokenizer, text, body);
        if (ends is null) { reason = $"{tokenizer.Kind} decoding does not return the text"; return null; }
        var (prefix, suffix) = addSpecialTokens ? SpecialTokens(tokenizer) : ([], []);

        var spans = new TokenSpan[sentence.Words.Count];
        for (int t = 0; t < sentence.SurfaceTokens.Count; t++)
        {
            var token = sentence.SurfaceTokens[t];
            int a = surfaceStarts[t], b = a + token.Form.Length;
            // Tokens overlapping [a, b): token i covers [start_i, ends[i]) with start_i = ends[i-1].
            int first = -1, last = -1;
            for (int i = 0; i < body.Length; i++)
            {
                int start = i == 0 ? 0 : ends[i - 1];
                if (start < b && ends[i] > a) { if (first < 0) first = i; last = i; }
            }
            var span = first < 0 ? new TokenSpan(prefix.Length, 0) : new TokenSpan(prefix.Length + first, last - first + 1);
            for (int w = token.FirstWord; w <= token.LastWord; w++) spans[w] = span;
        }
        return new SentenceTokens([.. prefix, .. body, .. suffix], spans);
    }

    /// <summary>Character offset of each surface token's form in the text (whitespace between
    /// them skipped), or null when a form is not next in the text.</summary>
    public static int[]? SurfaceStarts(CorpusSentence sentence, string text)
    {
        var starts = new int[sentence.SurfaceTokens.Count];
        int cursor = 0;
        for (int t = 0; t < starts.Length; t++)
        {
            while (cursor < text.Length && char.IsWhiteSpace(text[cursor])) cursor++;
            string form = sentence.SurfaceTokens[t].Form;
            if (string.CompareOrdinal(text, cursor, form, 0, form.Length) != 0 || cursor + form.Length > text.Length) return null;
            starts[t] = cursor;
            cursor += form.Length;
        }
        return starts;
    }

    /// <summary>End character offset of each token: the length of the decoded prefix ending at it.
    /// A token that ends inside a character (a byte-level token holding half a UTF-8 sequence)
    /// takes the end of the next token that completes it. Null when the whole decoding is not the text.</summary>
    private static int[]? TokenEnds(ITokenizer tokenizer, string text, int[] ids)
    {
        if (!string.Equals(tokenizer.Decode(ids), text, StringComparison.Ordinal)) return null;
        var ends = new int[ids.Length];
        int pending = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            string prefix = tokenizer.Decode(new ArraySegment<int>(ids, 0, i + 1));
            if (!text.StartsWith(prefix, StringComparison.Ordinal)) continue; // ends mid-character
            for (int j = pending; j <= i; j++) ends[j] = prefix.Length;
            pending = i + 1;
        }
        return pending == ids.Length ? ends : null;
    }

    /// <summary>The ids the tokenizer puts before and after a sequence (BOS, CLS/SEP), found from
    /// a one-word encoding.</summary>
    private static (int[] Prefix, int[] Suffix) SpecialTokens(ITokenizer tokenizer)
    {
        var probe = tokenizer.EncodeWords(["a"], addSpecialTokens: true);
        var span = probe.Words[0];
        return (probe.Ids[..span.Start], probe.Ids[(span.Start + span.Length)..]);
    }
}
