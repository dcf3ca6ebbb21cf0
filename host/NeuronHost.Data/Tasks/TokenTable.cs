using NeuronHost.Data.Corpora;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Tasks;

/// <summary>Every word of a corpus in row order (the order of an activation store): splits in
/// corpus order, sentences in order, words in order. Row r is word <c>RowWord[r]</c> of sentence
/// <c>RowSentence[r]</c>; sentence s belongs to corpus split <c>SentenceSplit[s]</c>.</summary>
public sealed class TokenTable(
    IReadOnlyList<string> sentenceIds,
    IReadOnlyList<string> sentenceSplits,
    int[] rowSentence,
    int[] rowWord,
    AnnotatedWord[] words)
{
    public IReadOnlyList<string> SentenceIds { get; } = sentenceIds;
    public IReadOnlyList<string> SentenceSplit { get; } = sentenceSplits;
    public int[] RowSentence { get; } = rowSentence;
    public int[] RowWord { get; } = rowWord;
    public AnnotatedWord[] Words { get; } = words;
    public long Rows => Words.Length;
    public int Sentences => SentenceIds.Count;

    public static TokenTable FromCorpus(Corpus corpus)
    {
        var ids = new List<string>(); var splits = new List<string>();
        var rowSentence = new List<int>(); var rowWord = new List<int>(); var words = new List<AnnotatedWord>();
        foreach (var split in corpus.Splits)
            foreach (var sentence in split.Sentences)
            {
                for (int w = 0; w < sentence.Words.Count; w++)
                {
                    rowSentence.Add(ids.Count); rowWord.Add(w); words.Add(sentence.Words[w]);
                }
                ids.Add(sentence.Id); splits.Add(split.Name);
            }
        return new TokenTable(ids, splits, rowSentence.ToArray(), rowWord.ToArray(), words.ToArray());
    }
}
