using NeuronHost.Core.Reports.Svg;

namespace NeuronHost.Core.Reports.Html;

/// <summary>Probe quality vs ranking quality (Antverg &amp; Belinkov): accuracy against k for every
/// ranking × probe, with random/bottom baselines and the control task.</summary>
internal static class AccuracySection
{
    public const string BottomDash = "7,4";
    public const string RandomDash = "3,3";
    public const string ControlDash = "1.5,3";

    public static void Write(HtmlDoc doc, RunResults r)
    {
        if (r.Accuracy.Count == 0 && r.Oracle.Count == 0) return;
        doc.H2("Probe × ranking: accuracy vs number of neurons", "accuracy");
        var rankings = RankingNames(r);
        var probes = r.Accuracy.Select(a => a.Probe).Concat(r.Oracle.Select(o => o.Probe)).Distinct().ToList();

        // A probe with a neuron limit below the model's width (gaussian-probe's max-neurons) has no oracle.
        var withoutOracle = probes.Where(p => r.Oracle.All(o => o.Probe != p)).ToList();
        string skipped = withoutOracle.Count == 0 ? "" :
            $" No oracle for {string.Join(", ", withoutOracle)}: {(withoutOracle.Count == 1 ? "its" : "their")} neuron limit (max-neurons) is below the {r.Identity.Neurons.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} neurons.";
        double? majority = Baselines.Majority(r), chance = Baselines.Chance(r);
        if (r.Oracle.Count > 0)
            doc.Table(["probe", "neurons", "train", "dev", "test accuracy", "control accuracy", "selectivity", "majority class", "uniform chance"],
                r.Oracle.Select(o => (IReadOnlyList<string>)[HtmlDoc.E(o.Probe), o.Neurons.ToString(), HtmlDoc.Num(o.TrainAccuracy), HtmlDoc.Num(o.DevAccuracy),
                    HtmlDoc.Num(o.TestAccuracy), HtmlDoc.Num(o.ControlAccuracy), HtmlDoc.Num(o.Selectivity), HtmlDoc.Num(o.MajorityBaseline), HtmlDoc.Num(chance)]),
                "Each probe trained on all neurons (the oracle); selectivity = test − control accuracy (control task: a fixed random label per word type)." + skipped);

        foreach (var probe in probes)
        {
            var series = new List<LineSeries>();
            for (int i = 0; i < rankings.Count; i++)
            {
                var pts = Points(r, rankings[i], probe, Selection.Top, a => a.TestAccuracy);
                if (pts.Count > 0) series.Add(new LineSeries($"{rankings[i]} top-k", pts, Palette.ColorFor(rankings[i], rankings), Marker: i));
            }
            if (series.Count == 0) continue;
            if (RandomSeries(r, probe, 1.7) is { } random) series.Add(random);
            doc.Figure(LineChart.Render($"{probe}: top-k neurons of each ranking", "k (neurons)", "test accuracy",
                    series, 0, 1, References(r, probe), width: 860, height: 380, logXWhenWide: true),
                $"Test accuracy of the {probe} retrained on the top-k neurons of each ranking. Judge each curve against random-k (grey dashed{RandomBandWords(r, probe)}), " +
                "the majority class (always the most frequent tag) and uniform chance; the all-neuron accuracy is the ceiling.");
        }

        var multiples = new List<string>();
        foreach (var ranking in rankings)
        foreach (var probe in probes)
        {
            var top = Points(r, ranking, probe, Selection.Top, a => a.TestAccuracy);
            if (top.Count == 0) continue;
            string color = Palette.ColorFor(ranking, rankings);
            var s = new List<LineSeries> { new("top-k", top, color, Marker: 0) };
            var bottom = Points(r, ranking, probe, Selection.Bottom, a => a.TestAccuracy);
            if (bottom.Count > 0) s.Add(new LineSeries("bottom-k", bottom, color, BottomDash, 1, 1.4));
            if (RandomSeries(r, probe, 1.4, compact: true) is { } random) s.Add(random);
            var control = Points(r, ranking, probe, Selection.Top, a => a.ControlAccuracy);
            if (control.Count > 0) s.Add(new LineSeries("control task", control, color, ControlDash, -1, 1.4, Baseline: "control"));
            multiples.Add(LineChart.Render($"{ranking} × {probe}", "k (neurons)", "accuracy", s, 0, 1,
                References(r, probe, compact: true), width: 600, height: 300, logXWhenWide: true));
        }
        if (multiples.Count > 0)
            doc.FigureGrid(multiples,
                "Each ranking × probe: top-k (solid), bottom-k (dashed), random-k (grey dashed) and the control task on the top-k neurons (dotted); " +
                "the gap between task and control accuracy is the selectivity. Horizontal lines: all neurons, majority class, uniform chance.");

        if (r.Accuracy.Count > 0)
            doc.Details($"All {r.Accuracy.Count} probe × ranking × k results (accuracy.csv)",
                HtmlDoc.TableHtml(["ranking", "probe", "selection", "k", "train", "dev", "test", "control", "selectivity"],
                    r.Accuracy.OrderBy(a => a.Probe).ThenBy(a => a.Ranking).ThenBy(a => a.Selection).ThenBy(a => a.K)
                        .Select(a => (IReadOnlyList<string>)[HtmlDoc.E(a.Ranking), HtmlDoc.E(a.Probe), HtmlDoc.E(a.Selection), a.K.ToString(),
                            HtmlDoc.Num(a.TrainAccuracy), HtmlDoc.Num(a.DevAccuracy), HtmlDoc.Num(a.TestAccuracy), HtmlDoc.Num(a.ControlAccuracy), HtmlDoc.Num(a.Selectivity)]),
                    null, "compact"));
    }

    /// <summary>The horizontal lines every accuracy plot is judged against: all neurons (the
    /// ceiling), the majority class and uniform chance.</summary>
    private static List<ReferenceLine> References(RunResults r, string probe, bool compact = false)
    {
        var lines = OracleLine(r, probe);
        if (Baselines.Majority(r) is { } m)
            lines.Add(new ReferenceLine(compact ? $"majority {m:0.00}" : $"majority class {m:0.000}", m, "#8c564b", "6,2,1,2", "majority"));
        if (Baselines.Chance(r) is { } c)
            lines.Add(new ReferenceLine(compact ? $"chance {c:0.00}" : $"uniform chance 1/{r.Identity.Classes.Count} = {c:0.000}", c, "#b0b0b0", "1,2", "chance"));
        return lines;
    }

    /// <summary>Random-k: the mean over draws per k, with the draws' 95 % range as a band when there
    /// are several draws (one row per draw), else the single draw.</summary>
    private static LineSeries? RandomSeries(RunResults r, string probe, double width, bool compact = false)
    {
        var spreads = Baselines.RandomDraws(r).Where(x => x.Key.Probe == probe).OrderBy(x => x.Key.K)
            .Select(x => (K: (double)x.Key.K, S: x.Value)).ToList();
        if (spreads.Count == 0) return null;
        bool band = spreads.Any(x => x.S.HasInterval);
        int draws = spreads.Max(x => x.S.Draws);
        return new LineSeries(compact ? (band ? "random-k, 95 % band" : "random-k") : band ? $"random-k (mean of {draws}, 95 % band)" : "random-k (1 draw)", spreads.Select(x => (x.K, x.S.Mean)).ToList(),
            Palette.Baseline, RandomDash, -1, width, Baseline: "random",
            Band: band ? spreads.Where(x => x.S.HasInterval).Select(x => (x.K, x.S.Low!.Value, x.S.High!.Value)).ToList() : null);
    }

    private static string RandomBandWords(RunResults r, string probe) =>
        Baselines.RandomDraws(r).Any(x => x.Key.Probe == probe && x.Value.HasInterval)
            ? "; the band holds 95 % of the random draws"
            : "; one random draw per k, so its spread is unknown";

    public static List<string> RankingNames(RunResults r) =>
        r.Rankings.Select(k => k.Name).Concat(r.Accuracy.Where(a => a.Selection != Selection.Random).Select(a => a.Ranking))
            .Distinct().ToList();

    private static List<ReferenceLine> OracleLine(RunResults r, string probe) =>
        r.Oracle.Where(o => o.Probe == probe && o.TestAccuracy.HasValue)
            .Select(o => new ReferenceLine($"all {o.TestAccuracy!.Value:0.000}", o.TestAccuracy!.Value, Palette.Axis, "9,3,2,3", "oracle")).Take(1).ToList();

    private static List<(double, double)> Points(RunResults r, string ranking, string probe, string selection, Func<AccuracyPoint, double?> value) =>
        r.Accuracy.Where(a => a.Ranking == ranking && a.Probe == probe && a.Selection == selection && value(a).HasValue)
            .OrderBy(a => a.K).Select(a => ((double)a.K, value(a)!.Value)).ToList();
}
