using System.Text.Json;
using System.Text.Json.Nodes;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>tokenizer.json files written in the Hugging Face layout from the shared models'
/// own vocabularies; the expected ids are the independent references of those models.</summary>
public class HfTokenizerJsonTests
{
    private const string MiniBrown = "shared:models/gpt2-mini-brown";
    private const string TinyBert = "shared:models/tiny-bert";
    private const string Sp = "shared:reference/sentencepiece";

    private static void AssertCases(ITokenizer tok, JsonElement cases, bool addSpecial)
    {
        foreach (var c in cases.EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            var ids = tok.Encode(text, addSpecial);
            var expected = TokenizerAssets.Ids(c.GetProperty("ids"));
            Assert.True(expected.SequenceEqual(ids), $"ids differ for \"{text}\": expected [{string.Join(",", expected)}], got [{string.Join(",", ids)}]");
        }
    }

    [AssetFact(MiniBrown)]
    public void ByteLevelBpeTokenizerJson()
    {
        var dir = TokenizerAssets.Resolve(MiniBrown);
        var vocab = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "vocab.json")))!;
        var lines = File.ReadAllLines(Path.Combine(dir, "merges.txt")).Skip(1).Where(l => l.Length > 0).ToList();
        foreach (bool pairForm in new[] { false, true })
        {
            var merges = new JsonArray(lines.Select(l => pairForm
                ? (JsonNode)new JsonArray(l.Split(' ').Select(s => (JsonNode)JsonValue.Create(s)!).ToArray())
                : JsonValue.Create(l)!).ToArray());
            var json = new JsonObject
            {
                ["version"] = "1.0",
                ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = 8191, ["content"] = "<|endoftext|>", ["special"] = true }),
                ["normalizer"] = null,
                ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
                ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
                ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab.DeepClone(), ["merges"] = merges },
            };
            using var tmp = new TempDir();
            tmp.Write("tokenizer.json", json.ToJsonString());
            var tok = TokenizerLoader.Load(tmp.Path);
            Assert.Equal("gpt2-bpe", tok.Kind);
            AssertCases(tok, TokenizerAssets.ReadJson(MiniBrown + "/reference.json").GetProperty("tokenizer_cases"), true);
            Assert.Equal([8191], tok.Encode("<|endoftext|>"));
        }
    }

    /// <summary>Llama 3 / Qwen2 layout: a Split pre-tokenizer with the regex, ByteLevel without
    /// its own regex, an NFC normalizer. With GPT-2's pattern it must give GPT-2's ids.</summary>
    [AssetFact(MiniBrown)]
    public void SplitPatternTokenizerJson()
    {
        var dir = TokenizerAssets.Resolve(MiniBrown);
        var merges = new JsonArray(File.ReadAllLines(Path.Combine(dir, "merges.txt")).Skip(1).Where(l => l.Length > 0)
            .Select(l => (JsonNode)JsonValue.Create(l)!).ToArray());
        var json = new JsonObject
        {
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "Split", ["behavior"] = "Isolated", ["invert"] = false,
                        ["pattern"] = new JsonObject { ["Regex"] = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+" },
                    },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = false }),
            },
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "vocab.json"))), ["merges"] = merges },
        };
        using var tmp = new TempDir();
        tmp.Write("tokenizer.json", json.ToJsonString());
        var tok = TokenizerLoader.Load(tmp.Path);
        AssertCases(tok, TokenizerAssets.ReadJson(MiniBrown + "/reference.json").GetProperty("tokenizer_cases"), true);
        // NFC: a decomposed "é" encodes as the composed one.
        Assert.Equal(tok.Encode("Caf\u00e9"), tok.Encode("Cafe\u0301"));
    }

    [AssetFact(TinyBert)]
    public void WordPieceTokenizerJson()
    {
        var lines = File.ReadAllLines(Path.Combine(TokenizerAssets.Resolve(TinyBert), "vocab.txt"));
        var vocab = new JsonObject();
        for (int i = 0; i < lines.Length; i++) vocab[lines[i]] = i;
        var json = new JsonObject
        {
            ["added_tokens"] = new JsonArray(new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }
                .Select((t, i) => (JsonNode)new JsonObject { ["id"] = i, ["content"] = t, ["special"] = true }).ToArray()),
            ["normalizer"] = new JsonObject { ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = null, ["lowercase"] = true },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["model"] = new JsonObject { ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["continuing_subword_prefix"] = "##", ["max_input_chars_per_word"] = 100, ["vocab"] = vocab },
        };
        using var tmp = new TempDir();
        tmp.Write("tokenizer.json", json.ToJsonString());
        var tok = TokenizerLoader.Load(tmp.Path);
        Assert.Equal("wordpiece", tok.Kind);
        AssertCases(tok, TokenizerAssets.ReadJson(TinyBert + "/reference.json").GetProperty("tokenizer_cases"), true);
    }

    /// <summary>Llama 2's tokenizer.json layout: BPE over the pieces with ranked merges (derived from
    /// the piece scores the way Hugging Face's converter does), byte fallback, ▁ spaces.</summary>
    [AssetFact(Sp)]
    public void LlamaStyleBpeTokenizerJson()
    {
        var model = SentencePieceModel.Read(TokenizerAssets.Resolve(Sp + "/bpe.model"));
        var vocab = new JsonObject();
        var ids = new Dictionary<string, int>();
        for (int i = 0; i < model.Pieces.Count; i++) { vocab[model.Pieces[i].Piece] = i; ids[model.Pieces[i].Piece] = i; }
        var merges = new List<(string L, string R, float Score)>();
        foreach (var p in model.Pieces.Where(p => p.Type == PieceType.Normal))
        {
            var local = new List<(string, string, float)>();
            for (int k = 1; k < p.Piece.Length; k++)
            {
                string l = p.Piece[..k], r = p.Piece[k..];
                if (ids.ContainsKey(l) && ids.ContainsKey(r)) local.Add((l, r, p.Score));
            }
            merges.AddRange(local.OrderBy(m => ids[m.Item1]).ThenBy(m => ids[m.Item2]));
        }
        var ordered = merges.OrderByDescending(m => m.Score).Select(m => (JsonNode)JsonValue.Create($"{m.L} {m.R}")!).ToArray();
        var json = new JsonObject
        {
            ["added_tokens"] = new JsonArray(new[] { "<unk>", "<s>", "</s>" }
                .Select((t, i) => (JsonNode)new JsonObject { ["id"] = i, ["content"] = t, ["special"] = true }).ToArray()),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
            },
            ["pre_tokenizer"] = null,
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["unk_token"] = "<unk>", ["byte_fallback"] = true, ["fuse_unk"] = true,
                ["vocab"] = vocab, ["merges"] = new JsonArray(ordered),
            },
        };
        using var tmp = new TempDir();
        tmp.Write("tokenizer.json", json.ToJsonString());
        var tok = TokenizerLoader.Load(tmp.Path);
        Assert.Equal("sentencepiece-bpe", tok.Kind);
        AssertCases(tok, TokenizerAssets.ReadJson(Sp + "/bpe-reference.json").GetProperty("cases"), false);
        Assert.Equal(1, tok.Encode("Hello")[0]);
        Assert.Equal("Naïve café — déjà vu!", tok.Decode(tok.Encode("Naïve café — déjà vu!")));
        // Legacy Llama (Prepend normalizer): text after a special token gets its own ▁.
        var afterSpecial = tok.Encode("Hi</s>there", addSpecialTokens: false);
        Assert.Equal(2, afterSpecial[tok.Encode("Hi", false).Length]);
        Assert.StartsWith("▁", tok.IdToToken(afterSpecial[tok.Encode("Hi", false).Length + 1]));

        // Metaspace with prepend_scheme "first" (Mistral, newer Llama files): only the start gets ▁.
        json["normalizer"] = null;
        json["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = false };
        tmp.Write("tokenizer.json", json.ToJsonString());
        var first = TokenizerLoader.Load(tmp.Path);
        AssertCases(first, TokenizerAssets.ReadJson(Sp + "/bpe-reference.json").GetProperty("cases"), false);
        var firstIds = first.Encode("Hi</s>there", addSpecialTokens: false);
        Assert.False(first.IdToToken(firstIds[first.Encode("Hi", false).Length + 1])!.StartsWith('▁'));
    }

    [AssetFact(Sp)]
    public void UnigramTokenizerJson()
    {
        var model = SentencePieceModel.Read(TokenizerAssets.Resolve(Sp + "/unigram.model"));
        var vocab = new JsonArray(model.Pieces.Select(p => (JsonNode)new JsonArray(JsonValue.Create(p.Piece)!, JsonValue.Create(p.Score)!)).ToArray());
        var json = new JsonObject
        {
            ["added_tokens"] = new JsonArray(new[] { "<unk>", "<s>", "</s>" }
                .Select((t, i) => (JsonNode)new JsonObject { ["id"] = i, ["content"] = t, ["special"] = true }).ToArray()),
            ["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = false },
            ["model"] = new JsonObject { ["type"] = "Unigram", ["unk_id"] = 0, ["byte_fallback"] = true, ["vocab"] = vocab },
        };
        using var tmp = new TempDir();
        tmp.Write("tokenizer.json", json.ToJsonString());
        var tok = TokenizerLoader.Load(tmp.Path);
        Assert.Equal("sentencepiece-unigram", tok.Kind);
        AssertCases(tok, TokenizerAssets.ReadJson(Sp + "/unigram-reference.json").GetProperty("cases"), false);
    }
}
