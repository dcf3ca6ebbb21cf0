namespace NeuronHost.Runtime.Tokenizers;

/// <summary>Finds special tokens (<c>&lt;|endoftext|&gt;</c>, <c>[MASK]</c>…) written in text, so
/// they become their own id instead of being split like ordinary words.</summary>
public sealed class SpecialTokenMatcher
{
    private readonly (string Text, int Id)[] tokens;

    public SpecialTokenMatcher(IEnumerable<KeyValuePair<string, int>> specials)
    {
        // Longest first, so "[MASK]x" style overlaps pick the longest token at a position.
        tokens = specials.Where(p => p.Key.Length > 0)
            .Select(p => (p.Key, p.Value))
            .OrderByDescending(p => p.Key.Length).ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToArray();
    }

    public static SpecialTokenMatcher None { get; } = new([]);

    public IReadOnlyList<(string Text, int Id)> Tokens => tokens;

    /// <summary>Calls <paramref name="onText"/> for each run of ordinary text (never empty) and
    /// <paramref name="onSpecial"/> for each special token, in order.</summary>
    public void Split(string text, Action<string> onText, Action<int> onSpecial)
    {
        if (tokens.Length == 0)
        {
            if (text.Length > 0) onText(text);
            return;
        }
        int pos = 0;
        while (pos < text.Length)
        {
            int best = -1, bestAt = int.MaxValue;
            for (int t = 0; t < tokens.Length; t++)
            {
                int at = text.IndexOf(tokens[t].Text, pos, StringComparison.Ordinal);
                if (at >= 0 && at < bestAt) { bestAt = at; best = t; }
            }
            if (best < 0) break;
            if (bestAt > pos) onText(text[pos..bestAt]);
            onSpecial(tokens[best].Id);
            pos = bestAt + tokens[best].Text.Length;
        }
        if (pos < text.Length) onText(text[pos..]);
    }
}
