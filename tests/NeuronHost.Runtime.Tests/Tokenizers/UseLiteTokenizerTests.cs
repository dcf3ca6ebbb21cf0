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
