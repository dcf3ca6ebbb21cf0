namespace NeuronHost.Core.Reports;

/// <summary>What in a run's accuracies a reader should not take at face value, each as one line
/// with its explanation: a probe below the majority-class baseline, and a probe whose accuracy
/// falls as it is given more of a ranking's top neurons. The terminal summary and report.html
/// both show these lines (one flag system).</summary>
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
        return flags;
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
