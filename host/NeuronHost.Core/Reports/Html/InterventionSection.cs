using System.Globalization;
using System.Text.RegularExpressions;
using NeuronHost.Core.Reports.Svg;

namespace NeuronHost.Core.Reports.Html;

/// <summary>Intervention reports: what the plugin did in words, its numbers with what they mean,
/// and plots chosen from the tables' columns, so any intervention plugin gets them by naming its
/// columns so:
/// <list type="bullet">
/// <item>a numeric column <c>k</c> → one effect curve per other numeric column against k, one line
/// per combination of the text columns that vary (e.g. <c>ranking</c>, <c>selection</c>;
/// random-k grey dashed, bottom-k dashed). A column <c>value</c> beside <c>delta</c> (or
/// <c>X</c> beside <c>X_delta</c>) is the same curve shifted, so only the change is plotted;
/// columns without a finite number are left out;</item>
/// <item>a numeric column whose name contains <c>linearity</c> → the NEG linearity histogram;</item>
/// <item>numeric columns containing <c>neurgrad</c> and starting with <c>neg</c> → NeurGrad vs
/// empirical NEG scatter with a fitted line.</item>
/// </list>
/// Every table is also shown whole (collapsed) and written as a CSV.</summary>
internal static class InterventionSection
{
    private const int MaxMetricsPlotted = 6;
    /// <summary>Numeric columns that are identifiers or counts, not effects.</summary>
    private static readonly string[] NotMetrics = ["items", "count", "n", "layer", "neuron", "index", "prompt", "tokens", "draws", "random_draws", "n_draws", "seed", "draw"];
    /// <summary>An interval bound, spread or p-value of another column (flipped_top1_low95 of
    /// flipped_top1_rate, logodds_shift_p of mean_logodds_shift): drawn with that column, never as an effect.</summary>
    private static readonly Regex IntervalSuffix = new("_(sd|std|low\\d*|high\\d*|lo|hi|ci_low|ci_high|p|p_value)$", RegexOptions.CultureInvariant);

    private static readonly Dictionary<string, string> Methods = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ablation"] = "Silences the top, random and bottom k neurons of each ranking (sets them to zero, or to their training mean) at every token of held-out text, " +
            "and measures how much worse the model does: its loss on the text (a language model) or how far its sentence embeddings move (an encoder). " +
            "If the ranking's top neurons matter to the model, their effect is larger than that of random neurons.",
        ["translation"] = "At a subject noun with one Number value, shifts the top-k neurons from that value's mean activation toward the other value's " +
            "(h ← h − α·q(z) + α·q(z′)) and reads the model's choice at the agreeing verb (is/are, was/were, has/have). " +
            "If the model uses these neurons for Number, the verb should follow the translated value.",
        ["neg"] = "Empirical neuron gradient (Zhao et al. 2025): shifts one neuron at the prediction position by ±Δ and fits the change of p(target) as a line; " +
            "the slope is the NEG, the Pearson r of the fit its linearity. Compared with NeurGrad, the same slope from one backward pass.",
        ["neurgrad"] = "NeurGrad: ∂p(target)/∂a · sign(a) for every FFN neuron from one backward pass per prompt.",
        ["skill-neurons"] = "Skill neurons: NeurGrad polarities chosen on half of the multiple-choice prompts predict the answers of the other half; " +
            "compared with the model's own answers and with chance.",
    };

    public static void Write(HtmlDoc doc, RunResults r)
    {
        if (r.Interventions.Count == 0) return;
        doc.H2("Interventions: is what is encoded used?", "interventions");
        var rankings = AccuracySection.RankingNames(r);
        foreach (var iv in r.Interventions)
        {
            doc.H3(iv.Method);
            if (Methods.TryGetValue(iv.Method, out var words)) doc.P(words);
            if (iv.Summary.Count > 0)
                doc.Table(["what", "value", "key"], iv.Summary.Select(kv => (IReadOnlyList<string>)[HtmlDoc.E(InterventionGlossary.Describe(kv.Key)),
                    HtmlDoc.Num(kv.Value, "G5"), $"<code>{HtmlDoc.E(kv.Key)}</code>"]), $"{iv.Method}: headline numbers.", "compact summary");
            foreach (var t in iv.Tables)
            {
                // The per-draw and paired-test tables back the random band and the verdicts: listed
                // whole below, not plotted as if their columns were effects.
                bool backing = t.Name.EndsWith("_comparisons", StringComparison.Ordinal) || t.Name.EndsWith("_random_draws", StringComparison.Ordinal);
                if (!backing)
                {
                    SelectionTable(doc, iv, t);
                    Curves(doc, r, iv, t, rankings);
                }
                Linearity(doc, iv.Method, t);
                NegScatter(doc, iv.Method, t);
                doc.Details($"{iv.Method}, table “{t.Name}”: all {t.Rows.Count} rows (intervention_{ResultsCsv.Slug(iv.Method)}_{ResultsCsv.Slug(t.Name)}.csv)",
                    HtmlDoc.TableHtml(t.Columns, t.Rows.Select(row => (IReadOnlyList<string>)row.Select(Cell).ToList()), null, "compact",
                        t.Columns.Select(c => InterventionGlossary.Describe(c)).ToList()));
            }
        }
    }

    public static double? Number(object? cell) => InterventionSelections.Num(cell);

    private static string Cell(object? cell) => cell switch
    {
        null => "",
        bool b => b ? "yes" : "no",
        _ when Number(cell) is { } d && !(cell is int or long) => HtmlDoc.Num(d, "G4"),
        _ => HtmlDoc.E(InterventionSelections.Text(cell)),
    };

    /// <summary>Top / random / bottom side by side per ranking and k, for the table's main effect.</summary>
    private static void SelectionTable(HtmlDoc doc, InterventionResult iv, TableData t)
    {
        if (InterventionSelections.Of(t) is not { } sel) return;
        string column = sel.Column == "delta" && sel.Metric is { } m ? $"Δ {InterventionGlossary.MetricName(m)}" : InterventionGlossary.MetricName(sel.Column);
        static string S(double? v) => v is { } d && double.IsFinite(d) ? d.ToString("+0.0000;-0.0000;0", CultureInfo.InvariantCulture) : "–";
        doc.Table(["ranking", "k", "top-k", "random-k", "bottom-k", "top-k vs random"], sel.Cells.OrderBy(c => c.Ranking).ThenBy(c => c.K).Select(c =>
            (IReadOnlyList<string>)[HtmlDoc.E(c.Ranking), c.K.ToString(), S(c.Top),
                c.Random is null ? "–" : c.Random.HasInterval ? $"{S(c.Random.Mean)} <span class=\"act\">[{S(c.Random.Low)}, {S(c.Random.High)}], {c.Random.Draws} draws</span>" : S(c.Random.Mean),
                S(c.Bottom), HtmlDoc.E(Verdict(c))]),
            $"{iv.Method}: {column} — {InterventionGlossary.Describe(sel.Column, sel.Metric)}.", "compact");
    }

    private static string Verdict(InterventionSelections.Cell c) => (c.Top, c.Random) switch
    {
        (null, _) or (_, null) => "",
        ({ } top, { HasInterval: true } rnd) => top > rnd.High ? "larger than random" : top < rnd.Low ? "smaller than random" : "not distinguishable from random",
        _ => "not established (one random draw)",
    };

    private static bool IsNumeric(TableData t, int column) =>
        t.Rows.Count > 0 && t.Rows.All(row => column < row.Count && (row[column] is null || Number(row[column]) is not null))
        && t.Rows.Any(row => Number(row[column]) is not null);

    private static bool HasFinite(TableData t, int column) => t.Rows.Any(row => column < row.Count && InterventionSelections.IsFinite(row[column]));

    /// <summary>The numeric columns worth a plot: not ids or counts, not interval bounds, not all NaN,
    /// and not a level whose change is also a column (value vs delta: the same curve shifted).</summary>
    private static List<int> Metrics(TableData t, int k)
    {
        var names = t.Columns.Select(c => c.ToLowerInvariant()).ToList();
        return Enumerable.Range(0, t.Columns.Count).Where(c => c != k && IsNumeric(t, c) && HasFinite(t, c)
                && !NotMetrics.Contains(names[c])
                && !IsIntervalOfAnother(names, c)
                && !(names[c] == "value" && names.Contains("delta") && HasFinite(t, names.IndexOf("delta")))
                && !(names.Contains(names[c] + "_delta") && HasFinite(t, names.IndexOf(names[c] + "_delta")))
                && !(names[c].EndsWith("_accuracy") && names.Contains(names[c][..^"_accuracy".Length] + "_delta") && HasFinite(t, names.IndexOf(names[c][..^"_accuracy".Length] + "_delta"))))
            .Take(MaxMetricsPlotted).ToList();
    }

    private static bool IsIntervalOfAnother(List<string> names, int c)
    {
        var m = IntervalSuffix.Match(names[c]);
        if (!m.Success) return false;
        string stem = names[c][..m.Index];
        return stem.Length > 0 && names.Where((n, i) => i != c && !IntervalSuffix.IsMatch(n)).Any(n => n.Contains(stem, StringComparison.Ordinal));
    }

    private static void Curves(HtmlDoc doc, RunResults r, InterventionResult iv, TableData t, List<string> rankings)
    {
        int k = t.ColumnIndex("k");
        if (k < 0 || !IsNumeric(t, k)) return;
        // Legend keys from the text columns that vary; a constant one (metric = lm_nll) names the axis instead.
        var text = Enumerable.Range(0, t.Columns.Count).Where(c => c != k && !IsNumeric(t, c)
            && t.Rows.Select(row => InterventionSelections.Text(row[c])).Distinct().Count() > 1).ToList();
        int metricCol = t.ColumnIndex("metric");
        string? metricName = metricCol >= 0 ? InterventionSelections.Text(t.Rows[0][metricCol]) : null;
        int selection = t.ColumnIndex("selection"), ranking = t.ColumnIndex("ranking");
        string Key(List<object?> row) => string.Join(" ", text.Select(c => InterventionSelections.Text(row[c])));
        var keys = t.Rows.Select(Key).Distinct().ToList();
        var charts = new List<string>();
        var constant = new List<string>();
        foreach (int m in Metrics(t, k))
        {
            string column = t.Columns[m];
            // A column with one value everywhere is a sentence, not a plot.
            var values = t.Rows.Select(row => Number(row[m])).Where(v => v is { } d && double.IsFinite(d)).Select(v => v!.Value).Distinct().ToList();
            if (values.Count == 1 && t.Rows.Count > 1)
            {
                constant.Add($"{column.Replace('_', ' ')} is {values[0]:G4} for every ranking, selection and k");
                continue;
            }
            var series = new List<LineSeries>();
            for (int s = 0; s < keys.Count; s++)
            {
                var rows = t.Rows.Where(row => Key(row) == keys[s]).ToList();
                // Several rows per k (random draws): mean and the draws' 95 % range.
                var perK = rows.Where(row => Number(row[k]) is not null).GroupBy(row => Number(row[k])!.Value).OrderBy(g => g.Key)
                    .Select(g => (K: g.Key, S: Spread.Of(g.Select(row => Number(row[m])).Where(v => v is not null).Select(v => v!.Value))))
                    .Where(x => x.S is not null).ToList();
                if (perK.Count == 0) continue;
                string sel = selection >= 0 ? InterventionSelections.Text(rows[0][selection]) : "";
                string rank = ranking >= 0 ? InterventionSelections.Text(rows[0][ranking]) : "";
                bool isRandom = sel == Selection.Random;
                string color = isRandom ? Palette.Baseline
                    : rank.Length > 0 && rankings.Contains(rank) ? Palette.ColorFor(rank, rankings) : Palette.Color(s);
                string? dash = isRandom ? AccuracySection.RandomDash : sel == Selection.Bottom ? AccuracySection.BottomDash : null;
                bool band = perK.Any(x => x.S!.HasInterval);
                string name = (keys[s].Length == 0 ? InterventionGlossary.MetricName(column) : keys[s]) + (isRandom && band ? $" (mean, 95 % of {perK.Max(x => x.S!.Draws)} draws)" : "");
                series.Add(new LineSeries(name, perK.Select(x => (x.K, x.S!.Mean)).ToList(), color, dash, s % 4,
                    Baseline: isRandom ? "random" : null,
                    Band: band ? perK.Where(x => x.S!.HasInterval).Select(x => (x.K, x.S!.Low!.Value, x.S!.High!.Value)).ToList() : null));
            }
            if (series.Count == 0) continue;
            var (title, axis) = Titles(iv.Method, column, metricName);
            charts.Add(LineChart.Render(title, "k (neurons intervened on)", axis, series, references: References(r, iv, column, metricName), width: 560, height: 320, logXWhenWide: true));
        }
        if (charts.Count > 0)
            doc.FigureGrid(charts, $"{iv.Method}: effect against the number of neurons k, per ranking — top-k solid, bottom-k dashed, random-k grey dashed " +
                "(the baseline a top-k effect must exceed); the horizontal line is the unedited model." +
                (constant.Count > 0 ? $" Not plotted: {string.Join("; ", constant)}." : ""));
        else if (constant.Count > 0)
            doc.P($"{iv.Method}: {string.Join("; ", constant)}.");
    }

    private static (string Title, string Axis) Titles(string method, string column, string? metric)
    {
        string c = column.ToLowerInvariant();
        if (c == "delta" && metric is not null) return ($"{method}: change of {Short(metric)}", $"Δ {Short(metric)}");
        if (c == "value" && metric is not null) return ($"{method}: {Short(metric)}", Short(metric));
        if (c == "probe_delta") return ($"{method}: change of probe accuracy", "Δ probe accuracy");
        if (c == "probe_accuracy") return ($"{method}: probe accuracy", "probe accuracy");
        string words = column.Replace('_', ' ');
        return ($"{method}: {words}", words);
    }

    private static string Short(string metric) => metric.ToLowerInvariant() switch
    {
        "lm_nll" => "LM loss (nats/token)",
        "embedding_cosine_distance" => "embedding cosine distance",
        _ => metric.Replace('_', ' '),
    };

    /// <summary>The unedited model's level for a column: no change (0) for changes and flip rates,
    /// the clean value for levels, plus the majority class for a probe's accuracy.</summary>
    private static List<ReferenceLine> References(RunResults r, InterventionResult iv, string column, string? metric)
    {
        string c = column.ToLowerInvariant();
        var lines = new List<ReferenceLine>();
        if (c.Contains("delta") || c.Contains("shift") || c is "flipped_top1_rate" or "preference_flip_rate" or "broken_rate")
            lines.Add(new ReferenceLine("unedited (no change)", 0, Palette.Axis, "4,3", "no-change"));
        else if (c == "kept_top1_rate")
            lines.Add(new ReferenceLine("unedited (all kept)", 1, Palette.Axis, "4,3", "no-change"));
        else if (c == "value" && metric is not null && iv.Summary.TryGetValue($"clean_{metric}", out double clean))
            lines.Add(new ReferenceLine($"unedited {clean:G4}", clean, Palette.Axis, "4,3", "clean"));
        else if (c == "probe_accuracy")
        {
            if (iv.Summary.TryGetValue("clean_probe_accuracy", out double p)) lines.Add(new ReferenceLine($"unedited {p:0.000}", p, Palette.Axis, "4,3", "clean"));
            if (Baselines.Majority(r) is { } m) lines.Add(new ReferenceLine($"majority class {m:0.000}", m, "#8c564b", "6,2,1,2", "majority"));
        }
        return lines;
    }

    private static void Linearity(HtmlDoc doc, string method, TableData t)
    {
        int c = t.Columns.FindIndex(n => n.Contains("linearity", StringComparison.OrdinalIgnoreCase));
        if (c < 0 || !IsNumeric(t, c) || !HasFinite(t, c)) return;
        var values = t.Rows.Select(row => Number(row[c])).Where(v => v.HasValue && double.IsFinite(v.Value)).Select(v => v!.Value).ToList();
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
        var pts = t.Rows.Where(row => Number(row[g]) is { } a && double.IsFinite(a) && Number(row[e]) is { } b && double.IsFinite(b))
            .Select(row => (Number(row[g])!.Value, Number(row[e])!.Value)).ToList();
        if (pts.Count == 0) return;
        doc.Figure(ScatterChart.Render($"{method}: NeurGrad vs empirical NEG", $"{t.Columns[g]} (∂p/∂a · sign a)",
                $"{t.Columns[e]} (slope of Δp, per unit)", pts, Palette.Color(0), width: 640, height: 380),
            "Each point is a neuron: the gradient estimate from one backward pass against the slope measured by shifting the neuron; the fitted line and its r say how well the cheap estimate predicts the measurement.");
    }
}
