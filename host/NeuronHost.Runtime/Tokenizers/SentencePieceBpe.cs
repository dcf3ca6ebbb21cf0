namespace NeuronHost.Runtime.Tokenizers;

/// <summary>SentencePiece's BPE segmentation: start from characters (user-defined pieces whole),
/// repeatedly merge the adjacent pair whose concatenation is the piece with the highest score
/// (leftmost first on ties), then split pieces marked unused back into their parts.</summary>
internal sealed class SentencePieceBpe
{
    private readonly Dictionary<string, int> mergeable; // normal, user-defined and unused pieces
    private readonly IReadOnlyList<SentencePiece> pieces;
    private readonly string[] userDefined;

    public SentencePieceBpe(IReadOnlyList<SentencePiece> pieces, Dictionary<string, int> mergeable)
    {
        this.pieces = pieces;
        this.mergeable = mergeable;
        userDefined = pieces.Where(p => p.Type == PieceType.UserDefined).Select(p => p.Piece)
            .OrderByDescending(p => p.Length).ToArray();
    }

    private struct Symbol { public int Start, Length, Prev, Next; public bool Frozen; }

    private readonly record struct Candidate(int Left, int Right, float Score, int Size);

    private sealed class Order : IComparer<(float Score, int Left)>
    {
        public static readonly Order Instance = new();
        public int Compare((float Score, int Left) a, (float Score, int Left) b) =>
            a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Left.CompareTo(b.Left);
    }

    /// <summary>The final pieces as strings (ids are looked up by the caller).</summary>
    public List<string> Segment(string text)
    {
        var symbols = new List<Symbol>();
        for (int i = 0; i < text.Length;)
        {
            int len = 0; bool frozen = false;
            foreach (var u in userDefined)
                if (string.CompareOrdinal(text, i, u, 0, u.Length) == 0) { len = u.Length; frozen = true; break; }
            if (len == 0) len = char.IsSurrogatePair(text, i) ? 2 : 1;
            symbols.Add(new Symbol { Start = i, Length = len, Prev = symbols.Count - 1, Next = -1, Frozen = frozen });
            i += len;
        }
        for (int i = 0; i + 1 < symbols.Count; i++) { var s = symbols[i]; s.Next = i + 1; symbols[i] = s; }
        var arr = symbols.ToArray();

        var agenda = new PriorityQueue<Candidate, (float, int)>(Order.Instance);
        var reverseMerges = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        void TryAdd(int left, int right)
        {
            if (left < 0 || right < 0 || arr[left].Frozen || arr[right].Frozen) return;
            string piece = text.Substring(arr[left].Start, arr[left].Length + arr[right].Length);
            if (!mergeable.TryGetValue(piece, out int id)) return;
            agenda.Enqueue(new Candidate(left, right, pieces[id].Score, piece.Length), (pieces[id].Score, left));
            if (pieces[id].Type == PieceType.Unused)
                reverseMerges[piece] = (text.Substring(arr[left].Start, arr[left].Length), text.Substring(arr[right].Start, arr[right].Length));
        }
        for (int i = 0; i + 1 < arr.Length; i++) TryAdd(i, i + 1);

        while (agenda.TryDequeue(out var top, out _))
        {
            ref var l = ref arr[top.Left];
            ref var r = ref arr[top.Right];
            if (l.Length == 0 || r.Length == 0 || l.Length + r.Length != top.Size) continue;
            l.Length += r.Length;
            r.Length = 0;
            l.Next = r.Next;
            if (r.Next >= 0) arr[r.Next].Prev = top.Left;
            TryAdd(l.Prev, top.Left);
            TryAdd(top.Left, l.Next);
        }

        var output = new List<string>();
        void Resegment(string w)
        {
            if (mergeable.TryGetValue(w, out int id) && pieces[id].Type == PieceType.Unused && reverseMerges.TryGetValue(w, out var parts))
            {
                Resegment(parts.Item1);
                Resegment(parts.Item2);
            }
            else output.Add(w);
        }
        for (int i = arr.Length == 0 ? -1 : 0; i >= 0; i = arr[i].Next)
            Resegment(text.Substring(arr[i].Start, arr[i].Length));
        return output;
    }
}
