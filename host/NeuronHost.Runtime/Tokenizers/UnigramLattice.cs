using System.Text;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>A character trie over pieces, for the "all pieces starting here" search of Viterbi.</summary>
internal sealed class PieceTrie
{
    private readonly List<Dictionary<char, int>?> children = [null];
    private readonly List<int> pieceAt = [-1];

    public void Add(string piece, int id)
    {
        int node = 0;
        foreach (char c in piece)
        {
            var map = children[node] ??= [];
            if (!map.TryGetValue(c, out int next))
            {
                next = children.Count;
                children.Add(null);
                pieceAt.Add(-1);
                map.Add(c, next);
            }
            node = next;
        }
        pieceAt[node] = id;
    }

    /// <summary>Calls <paramref name="onMatch"/>(end, id) for every piece that starts at
    /// <paramref name="start"/>, shortest first.</summary>
    public void MatchPrefixes(string text, int start, Action<int, int> onMatch)
    {
        int node = 0;
        for (int i = start; i < text.Length; i++)
        {
            var map = children[node];
            if (map is null || !map.TryGetValue(text[i], out node)) return;
            if (pieceAt[node] >= 0) onMatch(i + 1, pieceAt[node]);
        }
    }
}

/// <summary>SentencePiece's Unigram segmentation: Viterbi over the piece scores (float sums as
/// the library computes them); a character no piece covers is an unknown node scored
/// min score − 10; user-defined pieces get a bonus so they always win.</summary>
internal sealed class UnigramLattice
{
    private const float UnknownPenalty = 10f;
    private readonly PieceTrie trie = new();
    private readonly float[] scores;
    private readonly bool[] userDefined;
    private readonly int unknownId;
    private readonly float unknownScore, maxScore;

    public UnigramLattice(IReadOnlyList<SentencePiece> pieces, int unknownId)
    {
        this.unknownId = unknownId;
        scores = new float[pieces.Count];
        userDefined = new bool[pieces.Count];
        float min = float.MaxValue, max = float.MinValue;
        for (int id = 0; id < pieces.Count; id++)
        {
            var p = pieces[id];
            scores[id] = p.Score;
            userDefined[id] = p.Type == PieceType.UserDefined;
            if (p.Type is PieceType.Normal or PieceType.UserDefined) trie.Add(p.Piece, id);
            if (p.Type == PieceType.Normal) { min = Math.Min(min, p.Score); max = Math.Max(max, p.Score); }
        }
        if (min == float.MaxValue) { min = 0; max = 0; }
        unknownScore = min - UnknownPenalty;
        maxScore = max;
    }

    /// <summary>The best segmentation as (start, end, id) in UTF-16 positions; unknown pieces
    /// carry the unknown id.</summary>
    public List<(int Start, int End, int Id)> Segment(string text)
    {
        int n = text.Length;
        var bestScore = new float[n + 1];
        var bestStart = new int[n + 1];
        var bestId = new int[n + 1];
        Array.Fill(bestStart, -1);
        int start = 0;
        while (start < n)
        {
            float here = bestScore[start];
            int charLen = char.IsSurrogatePair(text, start) ? 2 : 1;
            bool hasSingle = false;
            int s = start;
            trie.MatchPrefixes(text, start, (end, id) =>
            {
                float score = userDefined[id]
                    ? (float)(Encoding.UTF8.GetByteCount(text.AsSpan(s, end - s)) * (double)maxScore - 0.1)
                    : scores[id];
                float candidate = score + here;
                if (bestStart[end] == -1 || candidate > bestScore[end])
                {
                    bestScore[end] = candidate;
                    bestStart[end] = s;
                    bestId[end] = id;
                }
                if (end - s == charLen) hasSingle = true;
            });
            if (!hasSingle)
            {
                int end = start + charLen;
                float candidate = unknownScore + here;
                if (bestStart[end] == -1 || candidate > bestScore[end])
                {
                    bestScore[end] = candidate;
                    bestStart[end] = start;
                    bestId[end] = unknownId;
                }
            }
            start += charLen;
        }
        var result = new List<(int, int, int)>();
        for (int end = n; end > 0; end = bestStart[end]) result.Add((bestStart[end], end, bestId[end]));
        result.Reverse();
        return result;
    }
}
