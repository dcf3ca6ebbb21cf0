using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>Reads a Hugging Face tokenizer.json: BPE with the ByteLevel pre-tokenizer (GPT-2
/// family), BPE with byte fallback and ▁ spaces (Llama 2 / Mistral), WordPiece (BERT) and
/// Unigram (T5-style SentencePiece). Added tokens marked special are recognised in text.</summary>
public static class HfTokenizerJson
{
    public static TokenizerBase Load(string path)
    {
        using var doc = VocabularyFiles.ParseJson(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw new TokenizerFileException(path, "has no \"model\" object: not a Hugging Face tokenizer.json");
        string type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!
            : model.TryGetProperty("merges", out _) ? "BPE"
            : model.TryGetProperty("continuing_subword_prefix", out _) ? "WordPiece" : "";
        var specials = ReadAddedTokens(root, path);
        return type switch
        {
            "BPE" when UsesByteLevel(root) => LoadByteLevelBpe(root, model, specials, path),
            "BPE" => LoadSentencePieceBpe(root, model, specials, path),
            "WordPiece" => LoadWordPiece(root, model, path),
            "Unigram" => LoadUnigram(root, model, specials, path),
            _ => throw new TokenizerFileException(path, $"model type \"{type}\" is not supported (BPE, WordPiece and Unigram are)"),
        };
    }

    private static Dictionary<string, int> ReadAddedTokens(JsonElement root, string path)
    {
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!root.TryGetProperty("added_tokens", out var added) || added.ValueKind != JsonValueKind.Array) return specials;
        int i = 0;
        foreach (var a in added.EnumerateArray())
        {
            if (a.ValueKind != JsonValueKind.Object || !a.TryGetProperty("id", out var id) || !id.TryGetInt32(out int idValue)
                || !a.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                throw new TokenizerFileException(path, $"added_tokens[{i}] needs an integer \"id\" and a string \"content\"");
            // Hugging Face keeps every added token whole in text, special or not.
            specials[content.GetString()!] = idValue;
            i++;
        }
        return specials;
    }

    /// <summary>Every object with a "type" anywhere under the element (Sequence members included).</summary>
    private static IEnumerable<JsonElement> Components(JsonElement root, string section)
    {
        if (!root.TryGetProperty(section, out var s)) yield break;
        var stack = new Stack<JsonElement>([s]);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            if (e.ValueKind == JsonValueKind.Array) foreach (var x in e.EnumerateArray()) stack.Push(x);
            else if (e.ValueKind == JsonValueKind.Object)
            {
                if (e.TryGetProperty("type", out _)) yield return e;
                foreach (var p in e.EnumerateObject())
                    if (p.Value.ValueKind is JsonValueKind.Array or JsonValueKind.Object) stack.Push(p.Value);
            }
        }
    }

    private static string TypeOf(JsonElement e) => e.GetProperty("type").GetString() ?? "";

    private static bool UsesByteLevel(JsonElement root) =>
        Components(root, "pre_tokenizer").Concat(Components(root, "decoder")).Any(c => TypeOf(c) == "ByteLevel");

    private static bool Flag(JsonElement e, string name, bool fallback) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => fallback } : fallback;

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static BpeMerges ReadMerges(JsonElement model, string path)
    {
        if (!model.TryGetProperty("merges", out var merges) || merges.ValueKind != JsonValueKind.Array)
            throw new TokenizerFileException(path, "model.merges must be a list");
        var result = new BpeMerges();
        int rank = 0;
        foreach (var m in merges.EnumerateArray())
        {
            string? left = null, right = null;
            if (m.ValueKind == JsonValueKind.String)
            {
                var parts = m.GetString()!.Split(' ');
                if (parts.Length == 2) (left, right) = (parts[0], parts[1]);
            }
            else if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2
                && m[0].ValueKind == JsonValueKind.String && m[1].ValueKind == JsonValueKind.String)
                (left, right) = (m[0].GetString(), m[1].GetString());
            if (left is null || right is null)
                throw new TokenizerFileException(path, $"model.merges[{rank}] is {BpeMerges.Shorten(m.GetRawText())}, not \"left right\" or [left, right]");
            result.Add(left, right, rank++);
        }
        return result;
    }

    private static Dictionary<string, int> ReadVocab(JsonElement model, string path) =>
        model.TryGetProperty("vocab", out var v)
            ? VocabularyFiles.ReadVocabularyObject(v, path, "model.vocab")
            : throw new TokenizerFileException(path, "model.vocab is missing");

    private static Gpt2BpeTokenizer LoadByteLevelBpe(JsonElement root, JsonElement model, Dictionary<string, int> specials, string path)
    {
        var vocab = ReadVocab(model, path);
        foreach (var (token, id) in specials) vocab.TryAdd(token, id);
        bool prefixSpace = Components(root, "pre_tokenizer").Where(c => TypeOf(c) == "ByteLevel").Any(c => Flag(c, "add_prefix_space", false));
        return new Gpt2BpeTokenizer(vocab, ReadMerges(model, path), specials, prefixSpace, Text(model, "unk_token"))
        {
            SplitPattern = ReadSplitPattern(root, path),
            Normalization = ReadUnicodeNormalization(root),
        };
    }

    /// <summary>A "Split" pre-tokenizer (Llama 3, Qwen2): its regex, compiled for .NET.</summary>
    private static Regex? ReadSplitPattern(JsonElement root, string path)
    {
        var split = Components(root, "pre_tokenizer").Where(c => TypeOf(c) == "Split").ToList();
        if (split.Count == 0) return null;
        if (split.Count > 1) throw new TokenizerFileException(path, "more than one Split pre-tokenizer is not supported");
        var s = split[0];
        string behavior = Text(s, "behavior") ?? "Isolated";
        if (behavior != "Isolated" || Flag(s, "invert", false))
            throw new TokenizerFileException(path, $"Split pre-tokenizer with behavior \"{behavior}\"{(Flag(s, "invert", false) ? " inverted" : "")} is not supported (Isolated is)");
        if (!s.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object)
            throw new TokenizerFileException(path, "Split pre-tokenizer has no pattern");
        try
        {
            if (Text(pattern, "Regex") is string regex) return new Regex(regex, RegexOptions.CultureInvariant);
            if (Text(pattern, "String") is string literal) return new Regex(Regex.Escape(literal), RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFileException(path, $"the Split pattern is not a regular expression .NET can run ({e.Message})", 0, e);
        }
        throw new TokenizerFileException(path, "Split pattern must be {\"Regex\": …} or {\"String\": …}");
    }

    private static NormalizationForm? ReadUnicodeNormalization(JsonElement root) =>
        Components(root, "normalizer").Select(TypeOf).FirstOrDefault(t => t is "NFC" or "NFKC" or "NFD" or "NFKD") switch
        {
            "NFC" => NormalizationForm.FormC,
            "NFKC" => NormalizationForm.FormKC,
            "NFD" => NormalizationForm.FormD,
            "NFKD" => NormalizationForm.FormKD,
            _ => null,
        };

    private static WordPieceTokenizer LoadWordPiece(JsonElement root, JsonElement model, string path)
    {
        var vocab = ReadVocab(model, path);
        var options = new WordPieceOptions();
        var bert = Components(root, "normalizer").FirstOrDefault(c => TypeOf(c) == "BertNormalizer");
        if (bert.ValueKind == JsonValueKind.Object)
        {
            bool lower = Flag(bert, "lowercase", true);
            options = options with
            {
                Lowercase = lower,
                StripAccents = bert.TryGetProperty("strip_accents", out var sa) && sa.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? sa.ValueKind == JsonValueKind.True : null,
                SplitCjk = Flag(bert, "handle_chinese_chars", true),
                CleanText = Flag(bert, "clean_text", true),
            };
        }
        else if (!root.TryGetProperty("normalizer", out var n) || n.ValueKind == JsonValueKind.Null)
            options = options with { Lowercase = false };
        options = options with
        {
            UnknownToken = Text(model, "unk_token") ?? options.UnknownToken,
            ContinuationPrefix = Text(model, "continuing_subword_prefix") ?? options.ContinuationPrefix,
            MaxCharsPerWord = model.TryGetProperty("max_input_chars_per_word", out var mc) && mc.TryGetInt32(out int m) ? m : options.MaxCharsPerWord,
        };
        return new WordPieceTokenizer(vocab, options, path);
    }

    private static SentencePieceNormalizer ReadMetaspace(JsonElement root)
    {
        var normalizers = Components(root, "normalizer").ToList();
        var pre = Components(root, "pre_tokenizer").ToList();
        bool prepend = normalizers.Any(c => TypeOf(c) == "Prepend"), firstOnly = false;
        foreach (var m in pre.Where(c => TypeOf(c) == "Metaspace"))
        {
            string scheme = Text(m, "prepend_scheme") ?? (Flag(m, "add_prefix_space", true) ? "always" : "never");
            prepend |= scheme != "never";
            firstOnly |= scheme == "first" && !normalizers.Any(c => TypeOf(c) == "Prepend");
        }
        return new SentencePieceNormalizer
        {
            Nfkc = normalizers.Any(c => TypeOf(c) is "NFKC" or "Precompiled"),
            AddDummyPrefix = prepend,
            PrependFirstSegmentOnly = firstOnly,
            RemoveExtraWhitespaces = false,
            EscapeWhitespaces = true,
        };
    }

    /// <summary>Llama 2 / Mistral: BPE over characters with ▁ for spaces, byte fallback, &lt;s&gt; first.</summary>
    private static SentencePieceTokenizer LoadSentencePieceBpe(JsonElement root, JsonElement model, Dictionary<string, int> specials, string path)
    {
        var vocab = ReadVocab(model, path);
        foreach (var (token, id) in specials) vocab.TryAdd(token, id);
        string unk = Text(model, "unk_token") ?? throw new TokenizerFileException(path,
            "a BPE model without the ByteLevel pre-tokenizer is read as SentencePiece BPE, which needs model.unk_token");
        var pieces = ToPieces(vocab, specials, unk, path, out int unkId);
        var spModel = new SentencePieceModel(pieces)
        {
            Algorithm = SentencePieceAlgorithm.Bpe,
            ByteFallback = Flag(model, "byte_fallback", false),
            UnknownId = unkId,
            BosId = BosFromPostProcessor(root, vocab) ?? -1,
            EosId = vocab.TryGetValue("</s>", out int eos) ? eos : -1,
        };
        var tok = new SentencePieceTokenizer(spModel, path, ReadMerges(model, path), ReadMetaspace(root));
        tok.SpecialTokens = new SpecialTokenMatcher(specials);
        return tok;
    }

    private static SentencePieceTokenizer LoadUnigram(JsonElement root, JsonElement model, Dictionary<string, int> specials, string path)
    {
        if (!model.TryGetProperty("vocab", out var v) || v.ValueKind != JsonValueKind.Array)
            throw new TokenizerFileException(path, "model.vocab of a Unigram model must be a list of [piece, score]");
        var pieces = new List<SentencePiece>();
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2 || e[0].ValueKind != JsonValueKind.String || e[1].ValueKind != JsonValueKind.Number)
                throw new TokenizerFileException(path, $"model.vocab[{i}] is not a [piece, score] pair");
            string piece = e[0].GetString()!;
            var type = SentencePieceTokenizer.TryParseBytePiece(piece, out _) ? PieceType.Byte
                : specials.ContainsKey(piece) ? PieceType.Control : PieceType.Normal;
            pieces.Add(new SentencePiece(piece, e[1].GetSingle(), type));
            i++;
        }
        int unkId = model.TryGetProperty("unk_id", out var u) && u.TryGetInt32(out int uid) ? uid : 0;
        if ((uint)unkId >= (uint)pieces.Count) throw new TokenizerFileException(path, $"model.unk_id {unkId} is outside the vocabulary");
        pieces[unkId] = pieces[unkId] with { Type = PieceType.Unknown };
        var vocab = new Dictionary<string, int>();
        for (int k = 0; k < pieces.Count; k++) vocab.TryAdd(pieces[k].Piece, k);
        var spModel = new SentencePieceModel(pieces)
        {
            Algorithm = SentencePieceAlgorithm.Unigram,
            ByteFallback = Flag(model, "byte_fallback", false),
            UnknownId = unkId,
            BosId = BosFromPostProcessor(root, vocab) ?? -1,
            EosId = vocab.TryGetValue("</s>", out int eos) ? eos : -1,
        };
        var tok = new SentencePieceTokenizer(spModel, path, null, ReadMetaspace(root));
        tok.SpecialTokens = new SpecialTokenMatcher(specials);
        if (EosFromPostProcessor(root, vocab) is int e2) tok.Suffix = [e2];
        return tok;
    }

    private static List<SentencePiece> ToPieces(Dictionary<string, int> vocab, Dictionary<string, int> specials, string unk, string path, out int unkId)
    {
        int size = vocab.Values.Max() + 1;
        var pieces = new SentencePiece[size];
        foreach (var (token, id) in vocab)
        {
            var type = token == unk ? PieceType.Unknown
                : specials.ContainsKey(token) ? PieceType.Control
                : SentencePieceTokenizer.TryParseBytePiece(token, out _) ? PieceType.Byte : PieceType.Normal;
            pieces[id] = new SentencePiece(token, 0, type);
        }
        for (int i = 0; i < size; i++)
            pieces[i] ??= new SentencePiece($"<unused{i}>", 0, PieceType.Unused);
        unkId = vocab.TryGetValue(unk, out int u) ? u : throw new TokenizerFileException(path, $"model.unk_token \"{unk}\" is not in model.vocab");
        return [.. pieces];
    }

    /// <summary>The special token a TemplateProcessing "single" template puts before the sequence.</summary>
    private static int? BosFromPostProcessor(JsonElement root, Dictionary<string, int> vocab)
    {
        var template = SingleTemplate(root);
        if (template is null) return vocab.TryGetValue("<s>", out int s) ? s : null;
        var first = template.Value.EnumerateArray().FirstOrDefault();
        return first.ValueKind == JsonValueKind.Object && first.TryGetProperty("SpecialToken", out var st)
            && Text(st, "id") is string name && vocab.TryGetValue(name, out int id) ? id : null;
    }

    private static int? EosFromPostProcessor(JsonElement root, Dictionary<string, int> vocab)
    {
        var template = SingleTemplate(root);
        if (template is null || template.Value.GetArrayLength() == 0) return null;
        var last = template.Value[template.Value.GetArrayLength() - 1];
        return last.ValueKind == JsonValueKind.Object && last.TryGetProperty("SpecialToken", out var st)
            && Text(st, "id") is string name && vocab.TryGetValue(name, out int id) ? id : null;
    }

    private static JsonElement? SingleTemplate(JsonElement root)
    {
        foreach (var c in Components(root, "post_processor"))
            if (TypeOf(c) == "TemplateProcessing" && c.TryGetProperty("single", out var single) && single.ValueKind == JsonValueKind.Array)
                return single;
        return null;
    }
}
