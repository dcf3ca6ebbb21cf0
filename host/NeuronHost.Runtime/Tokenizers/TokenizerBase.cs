using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>What every tokenizer shares: the id ↔ token tables, special tokens written in text,
/// the special tokens added around a sequence, and word alignment built on encoding one word at
/// a time (which is exact because no tokenizer here lets a token cross a space).</summary>
public abstract class TokenizerBase : ITokenizer
{
    private readonly Dictionary<string, int> tokenIds;
    private readonly string?[] idToToken;

    protected TokenizerBase(IReadOnlyDictionary<string, int> vocabulary)
    {
        tokenIds = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        int size = vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1;
        idToToken = new string?[size];
        foreach (var (token, id) in vocabulary)
            if (id >= 0) idToToken[id] = token;
    }

    public abstract string Kind { get; }
    public int VocabSize => idToToken.Length;
    public int? MaskTokenId { get; protected init; }
    public int? BosTokenId { get; protected init; }
    public int? EosTokenId { get; protected init; }

    /// <summary>Special tokens recognised inside text.</summary>
    public SpecialTokenMatcher SpecialTokens { get; protected internal set; } = SpecialTokenMatcher.None;
    /// <summary>Ids put before / after a sequence when special tokens are added.</summary>
    protected internal int[] Prefix { get; set; } = [];
    protected internal int[] Suffix { get; set; } = [];

    public string? IdToToken(int id) => (uint)id < (uint)idToToken.Length ? idToToken[id] : null;
    public int? TokenToId(string token) => tokenIds.TryGetValue(token, out int id) ? id : null;

    /// <summary>Microsoft.ML.Tokenizers, where it encodes this tokenizer's files exactly; null
    /// where only ours does.</summary>
    internal LibraryRoute? Library { get; set; }

    /// <summary>True where the library does all the encoding and none of ours is left to route to.</summary>
    protected virtual bool EncodesWithLibraryOnly => false;

    /// <summary>Which implementation encodes; only a tokenizer with both can switch.</summary>
    public TokenizerEngine Engine
    {
        get => Library?.Engine ?? (EncodesWithLibraryOnly ? TokenizerEngine.Library : TokenizerEngine.Ours);
        internal set
        {
            if (Library is not null) Library.Engine = value;
            else if (value != Engine) throw new InvalidOperationException($"{Kind}: this tokenizer has one implementation ({Engine})");
        }
    }

    /// <summary>Encodes ordinary text (special tokens already split off).</summary>
    protected abstract void EncodeText(string text, List<int> ids, bool atStart);

    /// <summary>Encodes word <paramref name="index"/> as it appears in running text.</summary>
    protected abstract void EncodeWord(int index, string word, List<int> ids);

    /// <summary>The id given to a word that produced no token at all (an empty word).</summary>
    protected abstract int EmptyWordId { get; }

    public abstract string Decode(IEnumerable<int> ids);

    public int[] Encode(string text, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        if (addSpecialTokens) ids.AddRange(Prefix);
        bool atStart = true;
        SpecialTokens.Split(text,
            segment => { EncodeText(segment, ids, atStart); atStart = false; },
            id => { ids.Add(id); atStart = false; });
        if (addSpecialTokens) ids.AddRange(Suffix);
        return ids.ToArray();
    }

    /// <summary>A word that is a special token written whole ("[MASK]") is that token, as in Encode.</summary>
    private int? SpecialWord(string? word)
    {
        foreach (var (text, id) in SpecialTokens.Tokens)
            if (string.Equals(text, word, StringComparison.Ordinal)) return id;
        return null;
    }

    public virtual WordAlignment EncodeWords(IReadOnlyList<string> words, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(words);
        var ids = new List<int>();
        if (addSpecialTokens) ids.AddRange(Prefix);
        var spans = new TokenSpan[words.Count];
        for (int i = 0; i < words.Count; i++)
        {
            int start = ids.Count;
            if (SpecialWord(words[i]) is int special) ids.Add(special);
            else EncodeWord(i, words[i] ?? "", ids);
            if (ids.Count == start) ids.Add(EmptyWordId);
            spans[i] = new TokenSpan(start, ids.Count - start);
        }
        if (addSpecialTokens) ids.AddRange(Suffix);
        return new WordAlignment(ids.ToArray(), spans);
    }
}
