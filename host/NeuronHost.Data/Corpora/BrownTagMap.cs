namespace NeuronHost.Data.Corpora;

/// <summary>Maps Brown tags to a coarse universal-like tag set of 12 tags (after Petrov, Das &amp;
/// McDonald's universal tags): NOUN VERB ADJ ADV PRON DET ADP CONJ NUM PRT . X.
/// Rules, in order: the title/headline/cited-word suffixes <c>-tl</c>, <c>-hl</c>, <c>-nc</c> are
/// removed; a foreign word (<c>fw-…</c>) is X; a contraction (<c>ppss+md</c>) takes the class of
/// its first part; the bare negation tag <c>*</c> ("not", "n't") is ADV and a negated verb
/// (<c>bedz*</c>, <c>md*</c>) is VERB; ordinals (<c>od</c>) are ADJ as in the Penn Treebank;
/// existential "there" (<c>ex</c>) is DET as in Petrov et al.'s Penn mapping; subordinating
/// conjunctions (<c>cs</c>) are CONJ; interjections and unknown tags are X.</summary>
public static class BrownTagMap
{
    public static IReadOnlyList<string> UniversalTags { get; } =
        ["NOUN", "VERB", "ADJ", "ADV", "PRON", "DET", "ADP", "CONJ", "NUM", "PRT", ".", "X"];

    private static readonly Dictionary<string, string> Base = Build();

    private static Dictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string tag, params string[] brown) { foreach (var b in brown) map[b] = tag; }
        Add("NOUN", "nn", "nns", "nn$", "nns$", "np", "nps", "np$", "nps$", "nr", "nrs", "nr$", "nrs$");
        Add("VERB", "vb", "vbd", "vbg", "vbn", "vbz", "be", "bed", "bedz", "beg", "bem", "ben", "ber", "bez",
            "do", "dod", "doz", "hv", "hvd", "hvg", "hvn", "hvz", "md");
        Add("ADJ", "jj", "jjr", "jjs", "jjt", "jj$", "od");
        Add("ADV", "rb", "rbr", "rbt", "rb$", "rn", "ql", "qlp", "wrb", "wql", "*");
        Add("PRON", "pn", "pn$", "pp$", "pp$$", "ppl", "ppls", "ppo", "pps", "ppss", "wp$", "wpo", "wps");
        Add("DET", "at", "abl", "abn", "abx", "ap", "ap$", "dt", "dt$", "dti", "dts", "dtx", "wdt", "ex");
        Add("ADP", "in");
        Add("CONJ", "cc", "cs");
        Add("NUM", "cd", "cd$");
        Add("PRT", "to", "rp");
        Add(".", ".", ",", ":", ";", "(", ")", "``", "''", "'", "--", "!", "?");
        Add("X", "uh", "nil");
        return map;
    }

    public static string ToUniversal(string brownTag)
    {
        string tag = brownTag.ToLowerInvariant();
        bool stripped = true;
        while (stripped)
        {
            stripped = false;
            foreach (var suffix in new[] { "-tl", "-hl", "-nc" })
                if (tag.Length > suffix.Length && tag.EndsWith(suffix, StringComparison.Ordinal))
                {
                    tag = tag[..^suffix.Length];
                    stripped = true;
                }
        }
        if (tag.StartsWith("fw-", StringComparison.Ordinal)) return "X";
        int plus = tag.IndexOf('+');
        if (plus > 0) tag = tag[..plus];
        if (tag == "*") return "ADV";
        tag = tag.TrimEnd('*');
        return Base.TryGetValue(tag, out var universal) ? universal : "X";
    }
}
