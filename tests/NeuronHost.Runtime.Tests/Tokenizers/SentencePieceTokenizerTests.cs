using NeuronHost.Runtime.Tokenizers;

namespace NeuronHost.Runtime.Tests.Tokenizers;

public class SentencePieceTokenizerTests
{
    private const string Dir = "shared:reference/sentencepiece";

    private static SentencePieceTokenizer Load(string name) =>
        SentencePieceTokenizer.FromFile(TokenizerAssets.Resolve($"{Dir}/{name}.model"));

    [AssetFact(Dir)]
    public void ModelProtoIsRead()
    {
        var bpe = Load("bpe");
        Assert.Equal(SentencePieceAlgorithm.Bpe, bpe.Algorithm);
        Assert.Equal(2000, bpe.VocabSize);
        Assert.True(bpe.ByteFallback);
        Assert.Equal(0, bpe.UnknownId);
        Assert.Equal(1, bpe.BosTokenId);
        Assert.Equal(2, bpe.EosTokenId);
        Assert.Equal("identity", bpe.Model.NormalizerName);
        Assert.True(bpe.Model.AddDummyPrefix);
        Assert.False(bpe.Model.RemoveExtraWhitespaces);
        Assert.Equal(PieceType.Byte, bpe.Pieces[3].Type);
        Assert.Equal("<0x00>", bpe.Pieces[3].Piece);
        Assert.Equal(SentencePieceAlgorithm.Unigram, Load("unigram").Algorithm);
    }

    [AssetFact(Dir)]
    public void BpeIdsAndPiecesMatchTheSentencePieceLibrary() => AssertMatchesReference("bpe");

    [AssetFact(Dir)]
    public void UnigramIdsAndPiecesMatchTheSentencePieceLibrary() => AssertMatchesReference("unigram");

    private static void AssertMatchesReference(string name)
    {
        var tok = Load(name);
        var reference = TokenizerAssets.ReadJson($"{Dir}/{name}-reference.json");
        int count = 0;
        foreach (var c in reference.GetProperty("cases").EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            var ids = tok.Encode(text, addSpecialTokens: false);
            var expected = TokenizerAssets.Ids(c.GetProperty("ids"));
            Assert.True(expected.SequenceEqual(ids),
                $"{name}: ids differ for \"{text}\": expected [{string.Join(",", expected)}], got [{string.Join(",", ids)}] = {string.Join(" ", tok.Tokens(ids))}");
            Assert.Equal(c.GetProperty("pieces").EnumerateArray().Select(p => p.GetString()!), tok.Tokens(ids));
            count++;
        }
        Assert.True(count >= 8);
    }

    [AssetFact(Dir)]
    public void BosIsAddedLikeLlama()
    {
        var tok = Load("bpe");
        var ids = tok.Encode("Hello world");
        Assert.Equal(1, ids[0]);
        Assert.Equal(tok.Encode("Hello world", addSpecialTokens: false), ids[1..]);
    }

    public static readonly string[] RoundTripTexts =
    [
        "The jury said it was a fine day.",
        "  leading and trailing  ",
        "Tabs\tand\nnewlines\r\n",
        "Café naïve résumé — “quotes” ‘x’",
        "日本語のテキストと中文, 한국어, русский, العربية",
        "emoji 🙂👍🏽 family 👨‍👩‍👧 flags 🇫🇷 math 𝐀𝐁𝐂 ∑∞",
        "x",
    ];

    // (Text holding U+2581 itself cannot round-trip: SentencePiece reads it as a space.)
    [AssetFact(Dir)]
    public void DecodeOfEncodeIsTheText()
    {
        foreach (var name in new[] { "bpe", "unigram" })
        {
            var tok = Load(name);
            foreach (var text in RoundTripTexts)
                Assert.Equal(text, tok.Decode(tok.Encode(text)));
        }
    }

    [AssetFact(Dir)]
    public void WordsAlignWithMultiwordTokensAndPunctuation()
    {
        foreach (var name in new[] { "bpe", "unigram" })
        {
            var tok = Load(name);
            string[] words = ["The", "jury", "did", "n't", "say", "it", ",", "Mr.", "O'Neill", "naïve", "!"];
            var aligned = tok.EncodeWords(words);
            Assert.Equal(tok.Encode(string.Join(' ', words)), aligned.Ids);
            int next = 1;
            for (int i = 0; i < words.Length; i++)
            {
                var span = aligned.Words[i];
                Assert.Equal(next, span.Start);
                Assert.True(span.Length >= 1);
                Assert.Equal(words[i], tok.Decode(aligned.Ids.Skip(span.Start).Take(span.Length)).Trim());
                next += span.Length;
            }
            Assert.Equal(aligned.Ids.Length, next);
        }
    }
}
