using NeuronHost.Data.Corpora;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Extraction;

/// <summary>The token ids of a corpus sentence and, per syntactic word, its tokens.</summary>
public sealed record SentenceTokens(int[] Ids, IReadOnlyList<TokenSpan> WordSpans);

public static class SentenceAlignment
{
    /// <summary>Encodes the sentence as <paramref name="unit"/> says. With
    /// <see cref="WordUnit.Surface"/> the words of a multiword token ("did" + "n't" of "didn't")
    /// all get the span of the surface token; with <see cref="WordUnit.Syntactic"/> each word is
    /// fed (and spanned) on its own.</summary>
    public static SentenceTokens Align(CorpusSentence sentence, ITokenizer tokenizer, WordUnit unit, bool addSpecialTokens = true)
    {
        if (unit == WordUnit.Syntactic)
        {
            var a = tokenizer.EncodeWords(sentence.Words.Select(w => w.Form).ToArray(), addSpecialTokens);
            return new SentenceTokens(a.Ids, a.Words);
        }
        var surface = tokenizer.EncodeWords(sentence.SurfaceTokens.Select(t => t.Form).ToArray(), addSpecialTokens);
        var spans = new TokenSpan[sentence.Words.Count];
        for (int t = 0; t < sentence.SurfaceTokens.Count; t++)
            for (int w = sentence.SurfaceTokens[t].FirstWord; w <= sentence.SurfaceTokens[t].LastWord; w++) spans[w] = surface.Words[t];
        return new SentenceTokens(surface.Ids, spans);
    }
}
