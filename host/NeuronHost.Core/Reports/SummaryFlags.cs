namespace NeuronHost.Core.Reports;

/// <summary>What in a run's accuracies a reader should not take at face value, each as one line
/// with its explanation: a probe below the majority-class baseline, a probe whose accuracy
/// falls as it is given more of a ranking's top neurons, a top-k that is not distinguishable
/// from the random draws (grid, ablation, translation), and a ranking whose bottom is a block
/// of tied scores. The terminal summary and report.html both show these lines (one flag system).</summary>
public static class SummaryFlags
{
    /// <summary>Accuracy drops smaller than this (over one k step) are noise, not a flag.</summary>
    public const double FallTolerance = 0.01;

    public static IReadOnlyList<string> Of(RunResults r)
    {
        var flags = new List<string>();
        double? majority = r.Oracle.Select(o => o.MajorityBaseline).FirstOrDefault(m => m is not null);
        if (majority is { } m)
        {
            foreach (var o in r.Oracle.Where(o => o.TestAccuracy < m))
                flags.Add($"{o.Probe} on all neurons: {o.TestAccuracy:0.000} is below the majority-class baseline {m:0.000} — " +
                    "always guessing the most frequent class does better; the probe is under-trained or the task has too few examples");
            foreach (var g in TopRows(r))
            {
                var below = g.Points.Where(a => a.TestAccuracy < m).ToList();
                if (below.Count > 0)
                    flags.Add($"{g.Ranking}/{g.Probe}: k={string.Join(", ", below.Select(a => a.K))} " +
                        $"({string.Join(", ", below.Select(a => $"{a.TestAccuracy:0.000}"))}) below the majority-class baseline {m:0.000} — " +
                        "so few neurons tell the probe less than the class frequencies do");
            }
        }
        foreach (var g in TopRows(r))
        {
            var points = g.Points.Where(a => a.TestAccuracy is not null).ToList();
            for (int i = 1; i < points.Count; i++)
                if (points[i].TestAccuracy < points[i - 1].TestAccuracy - FallTolerance)
                {
                    flags.Add($"{g.Ranking}/{g.Probe}: accuracy falls from {points[i - 1].TestAccuracy:0.000} at k={points[i - 1].K} to " +
                        $"{points[i].TestAccuracy:0.000} at k={points[i].K} — more neurons should not hurt; the probe is under-trained " +
                        "(raise its iterations) or over-fits the training words (compare its train accuracy)");
                    break;
                }
        }
        flags.AddRange(GaussianInformation(r));
        flags.AddRange(RandomFlags(r));
        foreach (var k in r.Rankings.Where(k => k.TiedAtBottom > 1))
            flags.Add($"{k.Name}: {k.TiedAtBottom:N0} of {k.Neurons.Count:N0} neurons tie at the bottom score {k.BottomScore:G4} — " +
                $"bottom-k is a seeded sample of them (seed {r.Identity.Seed}), not the least important neurons in any order");
        return flags;
    }

    /// <summary>Top-k that the paired tests cannot tell from random-k: one line per ranking ×
    /// probe (grid) or ranking (interventions), naming the k values and the largest p-value.</summary>
    public static IEnumerable<string> RandomFlags(RunResults r)
    {
        foreach (var g in r.Comparisons.Where(c => c.Kind == "top_vs_random").GroupBy(c => (c.A, c.Probe)))
        {
            var same = g.Where(c => !c.Distinguishable).OrderBy(c => c.K).ToList();
            if (same.Count == 0) continue;
            double p = same.Max(c => Math.Max(c.PValue ?? 1, c.DrawPValue ?? 0));
            int draws = r.Statistics?.RandomDraws ?? 0;
            yield return $"{g.Key.A}/{g.Key.Probe}: top-k not distinguishable from random at k={string.Join(", ", same.Select(c => c.K))} " +
                $"(largest p = {p:0.000} against {draws} random draws; Δ {string.Join(", ", same.Select(c => $"{c.MeanDifference:+0.000;-0.000}"))})";
        }
        foreach (var i in r.Interventions)
            foreach (var t in i.Tables.Where(t => t.Name.EndsWith("comparisons", StringComparison.Ordinal)))
            {
                int kind = t.ColumnIndex("comparison"), ranking = t.ColumnIndex("ranking"), k = t.ColumnIndex("k"), dist = t.ColumnIndex("distinguishable"),
                    p = t.ColumnIndex("p_value"), diff = t.ColumnIndex("mean_difference");
                if (kind < 0 || ranking < 0 || k < 0 || dist < 0) continue;
                int drawP = t.ColumnIndex("draw_p_value");
                string P(List<object?> row) => (p >= 0 ? Number(row[p]).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "–") +
                    (drawP >= 0 ? "/" + Number(row[drawP]).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "");
                foreach (var g in t.Rows.Where(row => Text(row[kind]) == "top_vs_random" && !Bool(row[dist])).GroupBy(row => Text(row[ranking])))
                    yield return $"{i.Method} {g.Key}: top-k not distinguishable from random at k={string.Join(", ", g.Select(row => Text(row[k])))}" +
                        $" (p = {string.Join(", ", g.Select(P))}; paired over items / against the spread of the random draws, both must be < 0.05)";
            }
    }

    private static string Text(object? v) => v switch
    {
        System.Text.Json.JsonElement e => e.ToString(),
        IConvertible c when v is not string => c.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => v?.ToString() ?? "",
    };

    private static bool Bool(object? v) => v switch
    {
        bool b => b,
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.True } => true,
        _ => false,
    };

    private static double Number(object? v) => v switch
    {
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } e => e.GetDouble(),
        IConvertible c when v is not string => c.ToDouble(System.Globalization.CultureInfo.InvariantCulture),
        _ => double.NaN,
    };

    /// <summary>A Gaussian ranking whose greedily selected set carries no information: its
    /// mutual information with the labels, measured by the Gaussian probe on the selection split
    /// (dev unless select-on: train), is ≤ 0 bits, i.e. the probe predicts those words worse than
    /// the class frequencies do, and the order it chose is not evidence of anything.</summary>
    public static IEnumerable<string> GaussianInformation(RunResults r)
    {
        foreach (var ranking in r.Rankings.Where(k => k.Plugin == "gaussian" && k.Neurons.Count > 0))
        {
            int selected = ranking.Parameters.TryGetValue("max-neurons", out var m) && int.TryParse(m, out int v) ? v : 400;
            var prefix = ranking.Neurons.OrderBy(n => n.Rank).Take(Math.Min(selected, ranking.Neurons.Count)).ToList();
            double final = prefix[^1].Score;
            if (!(final <= 0)) continue;
            var peak = prefix.MaxBy(n => n.Score)!;
            string split = ranking.Parameters.TryGetValue("select-on", out var s) && s.Equals("train", StringComparison.OrdinalIgnoreCase) ? "training" : "held-out (dev)";
            yield return $"{ranking.Name}: the {prefix.Count} selected neurons have {split} mutual information {final:0.000} bits ≤ 0 " +
                $"(peak {peak.Score:0.000} bits at k={peak.Rank}) — its Gaussian probe predicts those words worse than the class frequencies, " +
                "so this order says nothing about where the property is (see docs/rankings.md, Gaussian estimator)";
        }
    }

    /// <summary>Selectivity (task − control accuracy) below this is low: the control task is
    /// nearly as learnable as the property.</summary>
    public const double LowSelectivity = 0.10;
    /// <summary>Fewer held-out words than this: one accuracy's 95 % interval is wider than ±0.05.</summary>
    public const int SmallTestSet = 400;
    /// <summary>Fewer held-out words per class (on average) than this: class accuracies rest on a handful of words.</summary>
    public const int FewWordsPerClass = 20;

    /// <summary>What the numbers' precision allows a reader to conclude: low selectivity, a small
    /// or thinly spread test set, and random baselines measured by a single draw.</summary>
    public static IReadOnlyList<string> Caveats(RunResults r)
    {
        var lines = new List<string>();
        var id = r.Identity;
        string task = id.Task.Length > 0 ? id.Task : "the property";
        foreach (var o in r.Oracle.Where(o => o.Selectivity is not null && o.TestAccuracy is not null && o.ControlAccuracy is not null))
            if (o.Selectivity < LowSelectivity)
                lines.Add($"{o.Probe} on all neurons: selectivity {o.Selectivity:+0.000;-0.000} (task {o.TestAccuracy:0.000} − control {o.ControlAccuracy:0.000}) is low — " +
                    $"a random label per word type is nearly as learnable, so much of the accuracy may come from word identity rather than {task}");
        if (id.TestTokens is > 0 and < SmallTestSet)
            lines.Add($"only {id.TestTokens} held-out words: one accuracy carries a 95 % interval of up to ±{1.96 * Math.Sqrt(0.25 / id.TestTokens):0.000}, so smaller differences are noise");
        if (id.TestTokens > 0 && id.Classes.Count > 0 && id.TestTokens / (double)id.Classes.Count < FewWordsPerClass)
            lines.Add($"{id.Classes.Count} classes share {id.TestTokens} held-out words (about {id.TestTokens / (double)id.Classes.Count:0} per class): rare classes are judged on a handful of words");
        var random = Baselines.RandomDraws(r);
        if (random.Count > 0 && random.Values.All(s => s.Draws == 1))
            lines.Add("random-k in the probe grid is one draw per k: its spread over draws is unknown, so top-k vs random-k is judged against binomial noise only");
        foreach (var iv in r.Interventions)
            foreach (var t in iv.Tables)
                if (InterventionSelections.Of(t) is { } sel && sel.Cells.Any(c => c.Random is not null) && sel.Cells.All(c => c.Random is null || !c.Random.HasInterval))
                {
                    lines.Add($"{iv.Method}: random-k is one draw per k, so no effect can be told apart from random neurons (that needs repeated random draws with an interval)");
                    break;
                }
        return lines;
    }

    /// <summary>The top-k accuracies of each ranking × probe, in k order.</summary>
    public static IEnumerable<(string Ranking, string Probe, List<AccuracyPoint> Points)> TopRows(RunResults r) =>
        r.Accuracy.Where(a => a.Selection == Selection.Top).GroupBy(a => (a.Ranking, a.Probe))
            .Select(g => (g.Key.Ranking, g.Key.Probe, g.OrderBy(a => a.K).ToList()));
}
