using System.Text;
using System.Text.Json;
using Ml = Microsoft.ML.Tokenizers;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>Settings of a WordPiece tokenizer (tokenizer_config.json / tokenizer.json names).</summary>
public sealed record WordPieceOptions
{
    public bool Lowercase { get; init; } = true;
    public bool? StripAccents { get; init; }
    public bool SplitCjk { get; init; } = true;
    public bool CleanText { get; init; } = true;
    public string UnknownToken { get; init; } = "[UNK]";
    public string ClsToken { get; init; } = "[CLS]";
    public string SepToken { get; init; } = "[SEP]";
    public string MaskToken { get; init; } = "[MASK]";
    public string PadToken { get; init; } = "[PAD]";
    public string ContinuationPrefix { get; init; } = "##";
    /// <summary>Longer words (in code points) become one unknown token.</summary>
    public int MaxCharsPerWord { get; init; } = 100;
}

/// <summary>BERT's tokenizer: basic tokenisation, then greedy longest-match-first WordPiece with
/// "##" continuations; a word that cannot be covered, or is too long, is one [UNK]. Adds
/// [CLS] … [SEP]; [MASK], [CLS], [SEP], [PAD], [UNK] written in text are recognised whole.</summary>
public sealed class WordPieceTokenizer : TokenizerBase
{
    private readonly BertBasicTokenizer basic;
    private readonly WordPieceOptions options;
    private readonly int unknownId;
    private readonly HashSet<int> specialIds;

    public WordPieceTokenizer(IReadOnlyDictionary<string, int> vocabulary, WordPieceOptions? options = null, string source = "vocabulary")
        : base(vocabulary)
    {
        this.options = options ??= new WordPieceOptions();
        basic = new BertBasicTokenizer(options.Lowercase, options.StripAccents, options.SplitCjk, options.CleanText);
        unknownId = TokenToId(options.UnknownToken)
            ?? throw new TokenizerFileException(source, $"the unknown token \"{options.UnknownToken}\" is not in the vocabulary");
        var specials = new Dictionary<string, int>();
        foreach (var t in new[] { options.UnknownToken, options.ClsToken, options.SepToken, options.MaskToken, options.PadToken })
            if (TokenToId(t) is int id) specials[t] = id;
        SpecialTokens = new SpecialTokenMatcher(specials);
        specialIds = [.. specials.Values];
        MaskTokenId = TokenToId(options.MaskToken);
        BosTokenId = TokenToId(options.ClsToken);
        EosTokenId = TokenToId(options.SepToken);
        Prefix = BosTokenId is int cls ? [cls] : [];
        Suffix = EosTokenId is int sep ? [sep] : [];
    }

    public override string Kind => "wordpiece";
    public WordPieceOptions Options => options;

    /// <summary>From vocab.txt, with tokenizer_config.json beside it when present
    /// (do_lower_case, strip_accents, tokenize_chinese_chars, special token names).</summary>
    public static WordPieceTokenizer FromFiles(string vocabTxtPath, string? tokenizerConfigPath = null)
    {
        var vocab = VocabularyFiles.ReadLineVocabulary(vocabTxtPath);
        tokenizerConfigPath ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(vocabTxtPath))!, "tokenizer_config.json");
        var options = File.Exists(tokenizerConfigPath) ? ReadConfig(tokenizerConfigPath) : new WordPieceOptions();
        var tokenizer = new WordPieceTokenizer(vocab, options, vocabTxtPath);
        tokenizer.Library = CreateLibraryRoute(vocabTxtPath, options);
        return tokenizer;
    }

    /// <summary>Microsoft.ML.Tokenizers' BertTokenizer on the same vocab.txt and settings, except on
    /// <see cref="LibraryDisagreements.WordPiece"/> texts. Null where it cannot take the settings.</summary>
    private static LibraryRoute? CreateLibraryRoute(string vocabTxtPath, WordPieceOptions o)
    {
        if (!o.CleanText) return null;
        Ml.BertTokenizer bert;
        try
        {
            bert = Ml.BertTokenizer.Create(vocabTxtPath, new Ml.BertOptions
            {
                LowerCaseBeforeTokenization = o.Lowercase,
                RemoveNonSpacingMarks = o.StripAccents ?? o.Lowercase,
                IndividuallyTokenizeCjk = o.SplitCjk,
                ApplyBasicTokenization = true,
                SplitOnSpecialTokens = false,
                UnknownToken = o.UnknownToken,
                ClassificationToken = o.ClsToken,
                SeparatorToken = o.SepToken,
                MaskingToken = o.MaskToken,
                PaddingToken = o.PadToken,
                ContinuingSubwordPrefix = o.ContinuationPrefix,
                MaxInputCharsPerWord = o.MaxCharsPerWord,
            });
        }
        catch (ArgumentException) { return null; } // e.g. a special token the vocabulary lacks: ours copes
        return new LibraryRoute(text => bert.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true),
            LibraryDisagreements.WordPiece);
    }

    /// <summary>Reads the WordPiece settings of a Hugging Face tokenizer_config.json.</summary>
    public static WordPieceOptions ReadConfig(string path)
    {
        using var doc = VocabularyFiles.ParseJson(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new TokenizerFileException(path, "must be a JSON object");
        var o = new WordPieceOptions();
        bool? Bool(string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new TokenizerFileException(path, $"\"{name}\" must be true, false or null, found {v.GetRawText()}"),
            };
        }
        string Token(string name, string fallback)
        {
            if (!root.TryGetProperty(name, out var v)) return fallback;
            if (v.ValueKind == JsonValueKind.String) return v.GetString()!;
            if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
                return c.GetString()!;
            return fallback;
        }
        return o with
        {
            Lowercase = Bool("do_lower_case") ?? true,
            StripAccents = Bool("strip_accents"),
            SplitCjk = Bool("tokenize_chinese_chars") ?? true,
            UnknownToken = Token("unk_token", o.UnknownToken),
            ClsToken = Token("cls_token", o.ClsToken),
            SepToken = Token("sep_token", o.SepToken),
            MaskToken = Token("mask_token", o.MaskToken),
            PadToken = Token("pad_token", o.PadToken),
        };
    }

    protected override int EmptyWordId => unknownId;

    protected override void EncodeText(string text, List<int> ids, bool atStart)
    {
        if (Library?.TryEncode(text, ids) == true) return;
        foreach (var word in basic.Tokenize(text)) EncodeWordPieces(word, ids);
    }

    protected override void EncodeWord(int index, string word, List<int> ids) => EncodeText(word, ids, index == 0);

    private void EncodeWordPieces(string word, List<int> ids)
    {
        // Code-point boundaries: lengths and slices count characters as Python does.
        var bounds = new List<int>(word.Length + 1);
        for (int i = 0; i < word.Length; i += char.IsSurrogatePair(word, i) ? 2 : 1) bounds.Add(i);
        bounds.Add(word.Length);
        int chars = bounds.Count - 1;
        if (chars > options.MaxCharsPerWord) { ids.Add(unknownId); return; }

        int mark = ids.Count, start = 0;
        while (start < chars)
        {
            int end = chars, found = -1;
            while (start < end)
            {
                string piece = word[bounds[start]..bounds[end]];
                if (start > 0) piece = options.ContinuationPrefix + piece;
                if (TokenToId(piece) is int id) { found = id; break; }
                end--;
            }
            if (found < 0)
            {
                ids.RemoveRange(mark, ids.Count - mark);
                ids.Add(unknownId);
                return;
            }
            ids.Add(found);
            start = end;
        }
    }

    /// <summary>Tokens joined by spaces with "##" continuations glued on; special tokens kept.</summary>
    public override string Decode(IEnumerable<int> ids)
    {
        var sb = new StringBuilder();
        foreach (int id in ids)
        {
            var token = IdToToken(id);
            if (token is null) continue;
            if (!specialIds.Contains(id) && token.StartsWith(options.ContinuationPrefix, StringComparison.Ordinal) && sb.Length > 0)
                sb.Append(token, options.ContinuationPrefix.Length, token.Length - options.ContinuationPrefix.Length);
            else
            {
                if (sb.Length > 0) sb.Append(' ');
                sb.Append(token);
            }
        }
        return sb.ToString();
    }
}
