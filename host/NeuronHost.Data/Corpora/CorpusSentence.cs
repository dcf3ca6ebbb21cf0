using NeuronHost.Sdk;

namespace NeuronHost.Data.Corpora;

/// <summary>A token as written in the text. It covers the syntactic words
/// [<paramref name="FirstWord"/>, <paramref name="LastWord"/>] (0-based, inclusive): one word for
/// an ordinary token, several for a CoNLL-U multiword token ("didn't" → "did" + "n't").</summary>
public readonly record struct SurfaceToken(string Form, int FirstWord, int LastWord)
{
    public bool IsMultiword => LastWord > FirstWord;
}

/// <summary>A sentence of a corpus: its syntactic words (the annotated units every task labels)
/// and its surface tokens (what the text shows, used when words are fed to a tokenizer as written).</summary>
public sealed record CorpusSentence(AnnotatedSentence Annotated, IReadOnlyList<SurfaceToken> SurfaceTokens, string? Text = null)
{
    public string Id => Annotated.Id;
    public IReadOnlyList<AnnotatedWord> Words => Annotated.Words;

    /// <summary>A sentence whose surface tokens are exactly its words.</summary>
    public static CorpusSentence FromWords(string id, IReadOnlyList<AnnotatedWord> words, string? text = null) =>
        new(new AnnotatedSentence(id, words),
            words.Select((w, i) => new SurfaceToken(w.Form, i, i)).ToArray(), text);

    /// <summary>For each word, the index of the surface token that contains it.</summary>
    public int[] WordToSurface()
    {
        var map = new int[Words.Count];
        for (int t = 0; t < SurfaceTokens.Count; t++)
            for (int w = SurfaceTokens[t].FirstWord; w <= SurfaceTokens[t].LastWord; w++) map[w] = t;
        return map;
    }
}

/// <summary>A named part of a corpus ("train", "dev", "test", or "all" when it has no split).</summary>
public sealed record CorpusSplit(string Name, IReadOnlyList<CorpusSentence> Sentences)
{
    public long WordCount => Sentences.Sum(s => (long)s.Words.Count);
}
