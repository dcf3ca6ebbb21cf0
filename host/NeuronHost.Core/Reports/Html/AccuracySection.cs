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
        if (r.Oracle.Count > 0)
            doc.Table(["probe", "neurons", "test accuracy", "control accuracy", "selectivity", "majority class"],
                r.Oracle.Select(o => (IReadOnlyList<string>)[HtmlDoc.E(o.Probe), o.Neurons.ToString(), HtmlDoc.Num(o.TestAccuracy),
                    HtmlDoc.Num(o.ControlAccuracy), HtmlDoc.Num(o.Selectivity), HtmlDoc.Num(o.MajorityBaseline)]),
                "Each probe trained on all neurons (the oracle)." + skipped);

        foreach (var probe in probes)
        {
            var series = new List<LineSeries>();
            for (int i = 0; i < rankings.Count; i++)
            {
                var pts = Points(r, rankings[i], probe, Selection.Top, a => a.TestAccuracy);
                if (pts.Count > 0) series.Add(new LineSeries($"{rankings[i]} top-k", pts, Palette.ColorFor(rankings[i], rankings), Marker: i));
            }
            var random = RandomPoints(r, probe);
            if (random.Count > 0) series.Add(new LineSeries("random-k", random, Palette.Baseline, RandomDash, -1));
            if (series.Count == 0) continue;
            doc.Figure(LineChart.Render($"{probe} probe: top-k neurons of each ranking", "k (neurons)", "test accuracy",
                    series, 0, 1, OracleLine(r, probe), width: 760, height: 360),
                $"Test accuracy of the {probe} probe retrained on the top-k neurons of each ranking; random-k dashed grey, all-neuron accuracy as a horizontal line.");
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
            var random = Points(r, ranking, probe, Selection.Random, a => a.TestAccuracy);
            if (random.Count == 0) random = RandomPoints(r, probe);
            if (random.Count > 0) s.Add(new LineSeries("random-k", random, Palette.Baseline, RandomDash, -1, 1.4));
            var control = Points(r, ranking, probe, Selection.Top, a => a.ControlAccuracy);
            if (control.Count > 0) s.Add(new LineSeries("control task", control, color, ControlDash, -1, 1.4));
            multiples.Add(LineChart.Render($"{ranking} ranking, {probe} probe", "k (neurons)", "accuracy", s, 0, 1,
                OracleLine(r, probe), width: 395, height: 290));
        }
        if (multiples.Count > 0)
            doc.FigureGrid(multiples,
                "Each ranking × probe: top-k (solid), bottom-k (dashed), random-k (grey dashed) and the control task on the top-k neurons (dotted); " +
                "the gap between task and control accuracy is the selectivity.");
    }

    public static List<string> RankingNames(RunResults r) =>
        r.Rankings.Select(k => k.Name).Concat(r.Accuracy.Where(a => a.Selection != Selection.Random).Select(a => a.Ranking))
            .Distinct().ToList();

    private static List<ReferenceLine> OracleLine(RunResults r, string probe) =>
        r.Oracle.Where(o => o.Probe == probe && o.TestAccuracy.HasValue)
            .Select(o => new ReferenceLine("all neurons", o.TestAccuracy!.Value, Palette.Axis, "9,3,2,3")).Take(1).ToList();

    private static List<(double, double)> Points(RunResults r, string ranking, string probe, string selection, Func<AccuracyPoint, double?> value) =>
        r.Accuracy.Where(a => a.Ranking == ranking && a.Probe == probe && a.Selection == selection && value(a).HasValue)
            .OrderBy(a => a.K).Select(a => ((double)a.K, value(a)!.Value)).ToList();

    /// <summary>Random-k does not depend on the ranking: take the first ranking's (or the mean over
    /// rankings that report one) per k.</summary>
    private static List<(double, double)> RandomPoints(RunResults r, string probe) =>
        r.Accuracy.Where(a => a.Probe == probe && a.Selection == Selection.Random && a.TestAccuracy.HasValue)
            .GroupBy(a => a.K).OrderBy(g => g.Key).Select(g => ((double)g.Key, g.Average(a => a.TestAccuracy!.Value))).ToList();
}
