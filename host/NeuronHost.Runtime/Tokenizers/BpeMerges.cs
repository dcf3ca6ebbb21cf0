namespace NeuronHost.Runtime.Tokenizers;

/// <summary>Merge rules ranked by their order in merges.txt, applied GPT-2's way: repeatedly
/// merge the adjacent pair with the lowest rank, every occurrence left to right.</summary>
public sealed class BpeMerges
{
    private readonly Dictionary<string, int> symbolIds = new(StringComparer.Ordinal);
    private readonly List<string> symbols = [];
    private readonly Dictionary<long, (int Rank, int Merged)> pairs = new(MixedHash.Instance);

    /// <summary>long.GetHashCode is hi ^ lo, which makes (a, b) pairs of small ids collide badly.</summary>
    private sealed class MixedHash : IEqualityComparer<long>
    {
        public static readonly MixedHash Instance = new();
        public bool Equals(long x, long y) => x == y;
        public int GetHashCode(long v) => (int)(((ulong)v * 0x9E3779B97F4A7C15UL) >> 32);
    }

    private readonly List<string> rules = [];

    public int Count => pairs.Count;

    /// <summary>The rules as merges.txt writes them ("left right"), in rank order.</summary>
    public IReadOnlyList<string> Rules => rules;

    /// <summary>Adds the merge of <paramref name="left"/> and <paramref name="right"/> with the
    /// next rank (a repeated pair keeps its later rank, as Python's dict(zip(...)) does).</summary>
    public void Add(string left, string right, int rank)
    {
        int a = Intern(left), b = Intern(right), m = Intern(left + right);
        pairs[Key(a, b)] = (rank, m);
        rules.Add(left + " " + right);
    }

    public int Intern(string symbol)
    {
        if (!symbolIds.TryGetValue(symbol, out int id))
        {
            id = symbols.Count;
            symbols.Add(symbol);
            symbolIds.Add(symbol, id);
        }
        return id;
    }

    public string Symbol(int id) => symbols[id];

    /// <summary>The id of a symbol already known (read-only, so safe from many threads).</summary>
    public bool TryGetSymbol(string symbol, out int id) => symbolIds.TryGetValue(symbol, out id);

    /// <summary>Merges the characters (code points) of <paramref name="text"/> and returns the
    /// resulting symbols; characters no merge mentions stay single. Thread-safe.</summary>
    public List<string> ApplyToCharacters(string text)
    {
        var word = new List<int>(text.Length);
        var strangers = new List<string>();
        for (int i = 0; i < text.Length;)
        {
            int len = char.IsSurrogatePair(text, i) ? 2 : 1;
            string c = text.Substring(i, len);
            if (TryGetSymbol(c, out int id)) word.Add(id);
            else { word.Add(-1 - strangers.Count); strangers.Add(c); }
            i += len;
        }
        Apply(word);
        return word.ConvertAll(id => id >= 0 ? symbols[id] : strangers[-1 - id]);
    }

    private static long Key(int a, int b) => ((long)a << 32) | (uint)b; // negative ids never match a stored pair

    /// <summary>Merges the symbols in place (ids from <see cref="Intern"/>; negative ids are
    /// symbols no merge involves).</summary>
    public void Apply(List<int> word)
    {
        var next = new List<int>(word.Count);
        while (word.Count > 1)
        {
            int bestRank = int.MaxValue, first = -1, second = -1, merged = -1;
            for (int i = 0; i + 1 < word.Count; i++)
                if (pairs.TryGetValue(Key(word[i], word[i + 1]), out var m) && m.Rank < bestRank)
                    (bestRank, first, second, merged) = (m.Rank, word[i], word[i + 1], m.Merged);
            if (merged < 0) break;
            next.Clear();
            for (int i = 0; i < word.Count; i++)
            {
                if (i + 1 < word.Count && word[i] == first && word[i + 1] == second)
                {
                    next.Add(merged);
                    i++;
                }
                else next.Add(word[i]);
            }
            word.Clear();
            word.AddRange(next);
        }
    }

    /// <summary>Reads merges.txt: an optional "#version" line, then one "left right" pair a line.</summary>
    public static BpeMerges ReadText(string path)
    {
        var merges = new BpeMerges();
        int lineNo = 0, rank = 0;
        foreach (var line in ReadLines(path))
        {
            lineNo++;
            if (lineNo == 1 && line.StartsWith("#version", StringComparison.Ordinal)) continue;
            if (line.Trim().Length == 0) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
                throw new TokenizerFileException(path, $"expected a merge \"left right\" (two symbols separated by a space), found \"{Shorten(line)}\"", lineNo);
            merges.Add(parts[0], parts[1], rank++);
        }
        return merges;
    }

    private static IEnumerable<string> ReadLines(string path) => VocabularyFiles.ReadTextLines(path);

    internal static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
