using NeuronHost.Core.Reports;

namespace NeuronHost.Cli.Commands;

/// <summary>What in a run's accuracies a reader should not take at face value, each as one line
/// with its explanation: a probe below the majority-class baseline, and a probe whose accuracy
/// falls as it is given more of a ranking's top neurons.</summary>
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
        return flags;
    }

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

    /// <summary>The top-k accuracies of each ranking × probe, in k order.</summary>
    public static IEnumerable<(string Ranking, string Probe, List<AccuracyPoint> Points)> TopRows(RunResults r) =>
        r.Accuracy.Where(a => a.Selection == Selection.Top).GroupBy(a => (a.Ranking, a.Probe))
            .Select(g => (g.Key.Ranking, g.Key.Probe, g.OrderBy(a => a.K).ToList()));
}
