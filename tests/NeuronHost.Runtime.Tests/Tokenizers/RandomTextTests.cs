using System.Text;
using NeuronHost.Runtime.Tokenizers;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>Random strings (fixed seed) mixing scripts, emoji, combining marks and odd spacing:
/// no tokenizer throws, byte-level BPE and byte-fallback SentencePiece give the text back, and
/// word alignment gives every word a token.</summary>
public class RandomTextTests
{
    private static readonly int[][] Ranges =
    [
        [0x20, 0x7E], [0x20, 0x7E], [0x20, 0x7E], [0xA0, 0xFF], [0x300, 0x36F], [0x391, 0x3C9], [0x410, 0x44F],
        [0x4E00, 0x4E80], [0x3040, 0x309F], [0xFF01, 0xFF5E], [0x1F600, 0x1F64F], [0x1D400, 0x1D433], [0x2000, 0x200D],
    ];

    private static List<string> Texts(int count, int seed = 20261122)
    {
        var random = new Random(seed);
        var texts = new List<string>();
        for (int t = 0; t < count; t++)
        {
            var sb = new StringBuilder();
            int length = random.Next(0, 40);
            for (int i = 0; i < length; i++)
            {
                int r = random.Next(20);
                if (r == 0) sb.Append(" \t\n"[random.Next(3)]);
                else if (r < 4) sb.Append(' ');
                else
                {
                    var range = Ranges[random.Next(Ranges.Length)];
                    sb.Append(char.ConvertFromUtf32(random.Next(range[0], range[1] + 1)));
                }
            }
            texts.Add(sb.ToString());
        }
        return texts;
    }

    [AssetFact("shared:models/gpt2-mini-brown", "shared:models/tiny-bert", "shared:reference/sentencepiece", "npm:model-embeddings-en/dist/vocab.json")]
    public void EveryTokenizerHandlesRandomText()
    {
        var texts = Texts(400);
        foreach (var path in new[] { "shared:models/gpt2-mini-brown", "shared:models/tiny-bert",
                     "shared:reference/sentencepiece/bpe.model", "shared:reference/sentencepiece/unigram.model",
                     "npm:model-embeddings-en/dist" })
        {
            var tok = TokenizerLoader.Load(TokenizerAssets.Resolve(path));
            bool lossless = tok.Kind == "gpt2-bpe" || (tok is SentencePieceTokenizer sp && sp.ByteFallback);
            foreach (var text in texts)
            {
                var ids = tok.Encode(text);
                Assert.All(ids, id => Assert.InRange(id, 0, tok.VocabSize - 1));
                // SentencePiece with add_dummy_prefix and kept spaces reads U+2581 and spaces alike.
                if (lossless) Assert.Equal(text, tok.Decode(ids));
                var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                var aligned = tok.EncodeWords(words);
                Assert.Equal(words.Length, aligned.Words.Count);
                Assert.All(aligned.Words, s => Assert.True(s.Length >= 1, $"{tok.Kind}: a word of \"{text}\" got no token"));
            }
        }
    }
}
