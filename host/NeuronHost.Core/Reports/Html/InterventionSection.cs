using NeuronHost.Core.Reports.Svg;

namespace NeuronHost.Core.Reports.Html;

/// <summary>Intervention reports. The plots are chosen from the tables' columns, so any
/// intervention plugin gets them by naming its columns so:
/// <list type="bullet">
/// <item>a numeric column <c>k</c> → one effect curve per other numeric column against k, one line
/// per combination of the text columns (e.g. <c>ranking</c>, <c>selection</c>; selection
/// random/bottom drawn dashed);</item>
/// <item>a numeric column whose name contains <c>linearity</c> → the NEG linearity histogram;</item>
/// <item>numeric columns containing <c>neurgrad</c> and starting with <c>neg</c> → NeurGrad vs
/// empirical NEG scatter with a fitted line.</item>
/// </list>
/// Every table is also shown (its first rows) and written whole as a CSV.</summary>
internal static class InterventionSection
{
    private const int MaxRowsShown = 20;
    private const int MaxMetricsPlotted = 6;
    /// <summary>Numeric columns that are identifiers or counts, not effects.</summary>
    private static readonly string[] NotMetrics = ["items", "count", "n", "layer", "neuron", "index", "prompt", "tokens", "seed", "draw", "draws"];

    public static void Write(HtmlDoc doc, RunResults r)
    {
        if (r.Interventions.Count == 0) return;
        doc.H2("Interventions: is what is encoded used?", "interventions");
        var rankings = AccuracySection.RankingNames(r);
        foreach (var iv in r.Interventions)
        {
            doc.H3(iv.Method);
            if (iv.Summary.Count > 0)
                doc.Table(["metric", "value"], iv.Summary.Select(kv => (IReadOnlyList<string>)[HtmlDoc.E(kv.Key), HtmlDoc.Num(kv.Value, "G5")]), cssClass: "compact");
            foreach (var t in iv.Tables)
            {
                Curves(doc, iv.Method, t, rankings);
                Linearity(doc, iv.Method, t);
                NegScatter(doc, iv.Method, t);
                doc.Table(t.Columns, t.Rows.Take(MaxRowsShown).Select(row => (IReadOnlyList<string>)row.Select(Cell).ToList()),
                    t.Rows.Count > MaxRowsShown
                        ? $"{t.Name}: first {MaxRowsShown} of {t.Rows.Count} rows (all in intervention_{ResultsCsv.Slug(iv.Method)}_{ResultsCsv.Slug(t.Name)}.csv)."
                        : $"{t.Name}.");
            }
        }
    }

    public static double? Number(object? cell) => cell switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        _ => null,
    };

    private static string Cell(object? cell) => cell switch
    {
        null => "",
        double or float => HtmlDoc.Num(Number(cell), "G4"),
        bool b => b ? "yes" : "no",
        _ => HtmlDoc.E(Convert.ToString(cell, System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static bool IsNumeric(TableData t, int column) =>
        t.Rows.Count > 0 && t.Rows.All(row => column < row.Count && (row[column] is null || Number(row[column]) is not null))
        && t.Rows.Any(row => Number(row[column]) is not null);

    private static void Curves(HtmlDoc doc, string method, TableData t, List<string> rankings)
    {
        int k = t.ColumnIndex("k");
        if (k < 0 || !IsNumeric(t, k)) return;
        var text = Enumerable.Range(0, t.Columns.Count).Where(c => c != k && !IsNumeric(t, c)).ToList();
        var metrics = Enumerable.Range(0, t.Columns.Count).Where(c => c != k && IsNumeric(t, c) && !NotMetrics.Contains(t.Columns[c].ToLowerInvariant()))
            .Take(MaxMetricsPlotted).ToList();
        int selection = t.ColumnIndex("selection"), ranking = t.ColumnIndex("ranking");
        var keys = t.Rows.Select(row => string.Join(" ", text.Select(c => Convert.ToString(row[c], System.Globalization.CultureInfo.InvariantCulture))))
            .Distinct().ToList();
        var charts = new List<string>();
        foreach (int m in metrics)
        {
            var series = new List<LineSeries>();
            for (int s = 0; s < keys.Count; s++)
            {
                var rows = t.Rows.Where(row => string.Join(" ", text.Select(c => Convert.ToString(row[c], System.Globalization.CultureInfo.InvariantCulture))) == keys[s]).ToList();
                var pts = rows.Where(row => Number(row[k]) is not null && Number(row[m]) is not null)
                    .Select(row => (Number(row[k])!.Value, Number(row[m])!.Value)).OrderBy(p => p.Item1).ToList();
                if (pts.Count == 0) continue;
                string sel = selection >= 0 ? rows[0][selection]?.ToString() ?? "" : "";
                string rank = ranking >= 0 ? rows[0][ranking]?.ToString() ?? "" : "";
                string color = sel == Selection.Random ? Palette.Baseline
                    : rank.Length > 0 && rankings.Contains(rank) ? Palette.ColorFor(rank, rankings) : Palette.Color(s);
                string? dash = sel == Selection.Random ? AccuracySection.RandomDash : sel == Selection.Bottom ? AccuracySection.BottomDash : null;
                series.Add(new LineSeries(keys[s].Length == 0 ? t.Columns[m] : keys[s], pts, color, dash, s % 4));
            }
            if (series.Count > 0)
                charts.Add(LineChart.Render($"{method}: {t.Columns[m]}", "k (neurons intervened on)", t.Columns[m], series, width: 470, height: 300));
        }
        if (charts.Count > 0)
            doc.FigureGrid(charts, $"{method}, {t.Name}: effect against the number of neurons k (top-k solid, random-k grey dashed, bottom-k dashed).");
    }

    private static void Linearity(HtmlDoc doc, string method, TableData t)
    {
        int c = t.Columns.FindIndex(n => n.Contains("linearity", StringComparison.OrdinalIgnoreCase));
        if (c < 0 || !IsNumeric(t, c)) return;
        var values = t.Rows.Select(row => Number(row[c])).Where(v => v.HasValue).Select(v => v!.Value).ToList();
        doc.Figure(HistogramChart.Render($"{method}: NEG linearity", $"{t.Columns[c]} (Pearson r of Δp vs shift)", values, 30,
                Palette.Color(2), width: 640, height: 320),
            $"Distribution of the linearity of the empirical neuron gradient over {values.Count} neurons (Zhao et al.): r near 1 means p(target) changes linearly with the neuron's shift.");
    }

    private static void NegScatter(HtmlDoc doc, string method, TableData t)
    {
        int g = t.Columns.FindIndex(n => n.Contains("neurgrad", StringComparison.OrdinalIgnoreCase));
        int e = t.Columns.FindIndex(n => n.StartsWith("neg", StringComparison.OrdinalIgnoreCase) && !n.Contains("neurgrad", StringComparison.OrdinalIgnoreCase)
            && !n.Contains("linearity", StringComparison.OrdinalIgnoreCase));
        if (g < 0 || e < 0 || !IsNumeric(t, g) || !IsNumeric(t, e)) return;
        var pts = t.Rows.Where(row => Number(row[g]) is not null && Number(row[e]) is not null)
            .Select(row => (Number(row[g])!.Value, Number(row[e])!.Value)).ToList();
        doc.Figure(ScatterChart.Render($"{method}: NeurGrad vs empirical NEG", $"{t.Columns[g]} (∂p/∂a · sign a)",
                $"{t.Columns[e]} (slope of Δp, per unit)", pts, Palette.Color(0), width: 640, height: 380),
            "Each point is a neuron: the gradient estimate from one backward pass against the slope measured by shifting the neuron.");
    }
}
