using System.Text.Json;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.Tokenizers;

public class UseLiteTokenizerTests
{
    private const string Vocab = "npm:model-embeddings-en/dist/vocab.json";
    private const string JsPackage = "npm:embeddings/dist/index.js";

    // The package's tokenizer, run as shipped; only its TF.js import (used by embed(), not by
    // the tokenizer) is stubbed so the test needs no TF.js install.
    private const string Script = """
        const Module = require('module');
        const load = Module._load;
        Module._load = function (request, ...rest) {
          if (request === '@energetic-ai/core') return {};
          return load.call(this, request, ...rest);
        };
        const fs = require('fs');
        const { EmbeddingsModel } = require(process.argv[2]);
        const vocabulary = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
        const model = new EmbeddingsModel({ vocabulary, model: null });
        const texts = JSON.parse(fs.readFileSync(0, 'utf8'));
        process.stdout.write(JSON.stringify(texts.map(t => model.tokenizer.encode(t))));
        """;

    public static readonly string[] Sentences =
    [
        "The quick brown fox jumps over the lazy dog.",
        "Hello world",
        "How are you doing today?",
        "I don't think they'll say it's John's car.",
        "The jury further said in term-end presentments that the City Executive Committee deserves praise.",
        "Numbers: 3.14159, 2026, 1,000,000 and 007.",
        "Meet me at 10:30 or 11:00 — not later :)",
        "  leading and trailing spaces  ",
        "double  spaces   inside",
        "Tabs\tand\nnewlines\r\nmatter",
        "Café naïve résumé — “quotes” and ‘apostrophes’.",
        "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ and ligatures ﬁ ﬂ ① ²",
        "日本語のテキストと中文",
        "emoji 🙂👍🏽 and symbols ©®™ ∑∞",
        "URL: https://example.org/path?x=1&y=2#frag",
        "CamelCaseWords and snake_case_words and kebab-case-words",
        "!!! ??? ... --- ***",
        "Supercalifragilisticexpialidocious antidisestablishmentarianism",
        "He said: \"I can't.\" She replied, 'We won't!'",
        "ǂǂǂ ʘʘ unknown ᚠᚢᚦ runes",
        "a",
        "",
        " ",
        "”5 and ”50 and 5”",
        "The Brown Corpus was compiled in 1961 at Brown University, Providence, Rhode Island.",
        "Ελληνικά, русский язык, עברית, العربية",
    ];

    [AssetFact(Vocab, JsPackage)]
    public void IdsEqualThePackagesJavaScriptTokenizer()
    {
        if (!NodeReference.Available)
        {
            Assert.False(SharedAssets.Required, "node is required for the USE-Lite tokenizer reference");
            return;
        }
        string vocab = TokenizerAssets.Resolve(Vocab);
        string[] sentences = [.. Sentences, .. CorpusTexts.Ewt(300)];
        var expected = JsonSerializer.Deserialize<int[][]>(NodeReference.Run(Script,
            [TokenizerAssets.Resolve(JsPackage), vocab], JsonSerializer.Serialize(sentences)))!;
        var tok = UseLiteTokenizer.FromFile(vocab);
        Assert.Equal(8000, tok.VocabSize);
        Assert.Equal(sentences.Length, expected.Length);
        for (int i = 0; i < sentences.Length; i++)
        {
            var ids = tok.Encode(sentences[i]);
            Assert.True(expected[i].SequenceEqual(ids),
                $"ids differ for \"{sentences[i]}\": JS [{string.Join(",", expected[i])}], ours [{string.Join(",", ids)}] = {string.Join(" ", tok.Tokens(ids))}");
        }

        AssertTheLibraryStillDisagrees(vocab, sentences, expected);
    }

    /// <summary>Microsoft.ML.Tokenizers' SentencePiece Unigram on the same pieces and scores (a
    /// tokenizer.model written from vocab.json, the text NFKC-normalised as the package does) gives
    /// other ids than the package's JavaScript on these sentences, so USE-Lite stays ours.</summary>
    private static void AssertTheLibraryStillDisagrees(string vocab, string[] sentences, int[][] expected)
    {
        var (pieces, scores) = UseLiteTokenizer.Read(vocab);
        // The library refuses a vocabulary with a piece twice (USE-Lite's has some): later copies get
        // a name no text contains.
        var seen = new HashSet<string>();
        for (int i = 0; i < pieces.Length; i++)
            if (!seen.Add(pieces[i])) pieces[i] = $"\u0001duplicate {i}";
        var proto = SentencePieceModelWriter.Unigram(pieces.Select((p, i) => (p, (float)scores[i],
            i == 0 ? SentencePieceModelWriter.Unknown : i < UseLiteTokenizer.ReservedCount ? SentencePieceModelWriter.Control
            : SentencePieceModelWriter.Normal)).ToList(), unknownId: 0);
        var library = Microsoft.ML.Tokenizers.SentencePieceTokenizer.Create(new MemoryStream(proto), false, false);
        var wrong = new List<string>();
        for (int i = 0; i < sentences.Length; i++)
        {
            var ids = library.EncodeToIds(sentences[i].Normalize(System.Text.NormalizationForm.FormKC), false, false);
            if (!ids.SequenceEqual(expected[i])) wrong.Add(sentences[i]);
        }
        // All 300 EWT sentences agree; the library differs where a character has no piece (the
        // JavaScript gives each its own unknown id) and on "”5", a piece USE-Lite's vocabulary holds twice.
        string[] recorded =
        [
            "Tabs\tand\nnewlines\r\nmatter", "日本語のテキストと中文", "emoji 🙂👍🏽 and symbols ©®™ ∑∞",
            "ǂǂǂ ʘʘ unknown ᚠᚢᚦ runes", "”5 and ”50 and 5”", "Ελληνικά, русский язык, עברית, العربية",
        ];
        Assert.True(wrong.SequenceEqual(recorded), "Microsoft.ML.Tokenizers now differs from USE-Lite's JavaScript on "
            + $"[{string.Join(" | ", wrong.Select(w => JsonSerializer.Serialize(w)))}]; where it no longer does, it could encode USE-Lite there");
    }

    [AssetFact(Vocab)]
    public void WordsAlignAndMatchRunningText()
    {
        var tok = UseLiteTokenizer.FromFile(TokenizerAssets.Resolve(Vocab));
        string[] words = ["I", "do", "n't", "like", "it", ",", "Mr.", "O'Neill", "!"];
        var aligned = tok.EncodeWords(words);
        Assert.Equal(tok.Encode(string.Join(' ', words)), aligned.Ids);
        int next = 0;
        foreach (var span in aligned.Words)
        {
            Assert.Equal(next, span.Start);
            Assert.True(span.Length >= 1);
            next += span.Length;
        }
        Assert.Equal(aligned.Ids.Length, next);
        Assert.Equal("▁I", tok.IdToToken(aligned.Ids[0]));
    }
}
