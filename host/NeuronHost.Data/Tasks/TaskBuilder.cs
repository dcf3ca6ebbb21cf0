using NeuronHost.Data.Corpora;

namespace NeuronHost.Data.Tasks;

/// <summary>Builds a labelled task from a corpus: labels, rare-value filtering, splits,
/// balancing and the control task. The result depends only on the corpus, the spec and the
/// options (the seed included).</summary>
public static class TaskBuilder
{
    public static LabelledTask Build(Corpus corpus, TaskSpec spec, TaskOptions? options = null) =>
        Build(TokenTable.FromCorpus(corpus), spec, options);

    public static LabelledTask Build(TokenTable table, TaskSpec spec, TaskOptions? options = null)
    {
        options ??= new TaskOptions();
        var raw = new string?[table.Rows];
        for (long r = 0; r < table.Rows; r++) raw[r] = spec.LabelOf(table.Words[r]);

        string[] sentenceSplit = AssignSplits(table, options);
        string[] splitNames = sentenceSplit.Distinct().OrderBy(ConlluReader.SplitRank).ThenBy(s => s, StringComparer.Ordinal).ToArray();
        string countSplit = splitNames.Contains("train") ? "train" : splitNames[0];

        // Class inventory from the train split; rare values dropped everywhere.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var all = new HashSet<string>(StringComparer.Ordinal);
        for (long r = 0; r < table.Rows; r++)
        {
            if (raw[r] is not { } label) continue;
            all.Add(label);
            if (sentenceSplit[table.RowSentence[r]] == countSplit) counts[label] = counts.GetValueOrDefault(label) + 1;
        }
        var classes = counts.Where(kv => kv.Value >= options.MinCount).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw new InvalidOperationException($"task {spec.Name}: no label value has ≥ {options.MinCount} tokens in {countSplit} (found {counts.Count} values)");
        var index = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var dropped = all.Where(l => !index.ContainsKey(l)).Order(StringComparer.Ordinal).ToArray();

        int[]? control = options.Control ? ControlLabels(table, raw, index, sentenceSplit, countSplit, classes.Length, options.Seed) : null;

        var splits = new List<TaskSplitTokens>();
        foreach (var name in splitNames)
        {
            var rows = new List<long>();
            for (long r = 0; r < table.Rows; r++)
                if (raw[r] is { } label && index.ContainsKey(label) && sentenceSplit[table.RowSentence[r]] == name) rows.Add(r);
            long[] kept = rows.ToArray();
            bool balance = options.Balance == Balancing.AllSplits || (options.Balance == Balancing.Train && name == "train");
            if (balance) kept = Balance(kept, r => index[raw[r]!], classes.Length, options.Seed * 1000 + SplitSalt(name));
            splits.Add(new TaskSplitTokens(name, kept,
                kept.Select(r => index[raw[r]!]).ToArray(),
                kept.Select(r => table.Words[r].Form).ToArray(),
                control is null ? null : kept.Select(r => control[r]).ToArray()));
        }
        bool ratio = !(options.Splits == SplitMode.Standard || (options.Splits == SplitMode.Auto && table.SentenceSplit.Contains("train")));
        return new LabelledTask(spec.Name, classes, splits, dropped)
        {
            SplitOrigin = ratio
                ? $"no train split in the corpus ({string.Join(", ", table.SentenceSplit.Distinct())}): sentences split by ratio, {RatioSplit.Describe(options.TrainFraction, options.DevFraction, options.Seed)}"
                : "the corpus's own splits",
        };
    }

    private static int SplitSalt(string name) => name switch { "train" => 101, "dev" => 202, "test" => 303, _ => name.Length * 7919 };

    private static string[] AssignSplits(TokenTable table, TaskOptions options)
    {
        bool hasTrain = table.SentenceSplit.Contains("train");
        var mode = options.Splits == SplitMode.Auto ? (hasTrain ? SplitMode.Standard : SplitMode.Random) : options.Splits;
        if (mode == SplitMode.Standard)
        {
            if (!hasTrain) throw new InvalidOperationException("the corpus has no train split: use random splits");
            return table.SentenceSplit.ToArray();
        }
        return RatioSplit.Assign(table.Sentences, options.TrainFraction, options.DevFraction, options.Seed);
    }

    /// <summary>Hewitt &amp; Liang: each word type (lower-cased form) gets one label drawn from
    /// the task's empirical label distribution (train tokens), in order of first appearance.</summary>
    private static int[] ControlLabels(TokenTable table, string?[] raw, Dictionary<string, int> index,
        string[] sentenceSplit, string countSplit, int classCount, int seed)
    {
        var freq = new double[classCount];
        for (long r = 0; r < table.Rows; r++)
            if (raw[r] is { } l && index.TryGetValue(l, out int c) && sentenceSplit[table.RowSentence[r]] == countSplit) freq[c]++;
        double total = freq.Sum();
        var cumulative = new double[classCount];
        double acc = 0;
        for (int c = 0; c < classCount; c++) { acc += freq[c] / total; cumulative[c] = acc; }
        var rng = new SeededRandom(seed * 31L + 7);
        var byType = new Dictionary<string, int>(StringComparer.Ordinal);
        var labels = new int[table.Rows];
        for (long r = 0; r < table.Rows; r++)
        {
            string type = table.Words[r].Form.ToLowerInvariant();
            if (!byType.TryGetValue(type, out int label))
            {
                double u = rng.NextDouble();
                label = Array.FindIndex(cumulative, x => u < x);
                if (label < 0) label = classCount - 1;
                byType[type] = label;
            }
            labels[r] = label;
        }
        return labels;
    }

    private static long[] Balance(long[] rows, Func<long, int> labelOf, int classCount, int seed)
    {
        var byClass = new List<long>[classCount];
        for (int c = 0; c < classCount; c++) byClass[c] = [];
        foreach (var r in rows) byClass[labelOf(r)].Add(r);
        int min = byClass.Where(l => l.Count > 0).Select(l => l.Count).DefaultIfEmpty(0).Min();
        var rng = new SeededRandom(seed);
        var kept = new List<long>();
        foreach (var list in byClass)
        {
            var arr = list.ToArray();
            rng.Shuffle(arr);
            kept.AddRange(arr.Take(min));
        }
        kept.Sort();
        return kept.ToArray();
    }
}
