using NeuronHost.Core.Reports;
using NeuronHost.Core.Text;
using Spectre.Console;

namespace NeuronHost.Cli.Commands;

/// <summary>The headline of a run, for the terminal (a table) and for scripts (--json).</summary>
public static class ResultsSummary
{
    public static object Json(RunResults r, string outDir) => new
    {
        status = r.Status,
        message = r.StatusMessage,
        output = outDir,
        report = Path.Combine(outDir, ReportFolder.ReportFile),
        model = r.Identity.Model,
        task = r.Identity.Task,
        classes = r.Identity.Classes.Count,
        words = new { train = r.Identity.TrainTokens, dev = r.Identity.DevTokens, test = r.Identity.TestTokens },
        neurons = r.Identity.Neurons,
        oracle = r.Oracle.Select(o => new { probe = o.Probe, train = o.TrainAccuracy, dev = o.DevAccuracy, accuracy = o.TestAccuracy, control = o.ControlAccuracy, selectivity = o.Selectivity, majority = o.MajorityBaseline }),
        uniformChance = r.Identity.Classes.Count > 0 ? 1.0 / r.Identity.Classes.Count : (double?)null,
        flags = SummaryFlags.Of(r),
        caveats = SummaryFlags.Caveats(r),
        rankings = r.Rankings.Select(k => new
        {
            name = k.Name,
            top = k.Neurons.Take(10).Select(n => new { neuron = n.Neuron, layer = n.Layer, score = n.Score }),
        }),
        minimalSets = r.MinimalSets.Select(m => new { ranking = m.Ranking, probe = m.Probe, k = m.K, accuracy = m.Accuracy, reached = m.Reached, selectedOn = m.SelectedOn, selectionAccuracy = m.SelectionAccuracy, controlAccuracy = m.ControlAccuracy, selectivity = m.Selectivity }),
        oracleFractions = r.OracleFractions.Select(f => new { ranking = f.Ranking, probe = f.Probe, fraction = f.Fraction, k = f.K, reached = f.Reached, testAccuracy = f.TestAccuracy }),
        randomBaselines = r.RandomBaselines.Select(b => new { probe = b.Probe, k = b.K, draws = b.Draws, mean = b.Mean, sd = b.Sd, low95 = b.Low95, high95 = b.High95 }),
        comparisons = r.Comparisons.Select(c => new { kind = c.Kind, probe = c.Probe, k = c.K, a = c.A, b = c.B, meanDifference = c.MeanDifference, low95 = c.Low95, high95 = c.High95, pValue = c.PValue, drawPValue = c.DrawPValue, distinguishable = c.Distinguishable }),
        interventions = r.Interventions.Select(i => new { method = i.Method, summary = i.Summary }),
        timings = r.Timings.Select(t => new { stage = t.Stage, seconds = t.Seconds }),
        pluginFailures = r.PluginFailures.Select(f => new { plugin = f.Plugin, kind = f.Kind, reason = f.Reason }),
    };

    /// <summary>Per ranking × probe: accuracy at each k of the grid (top-k), then the oracle.</summary>
    public static Table AccuracyTable(RunResults r)
    {
        const int maxColumns = 6;
        var ks = r.Accuracy.Where(a => a.Selection == Selection.Top).Select(a => a.K).Distinct().Order().ToList();
        if (ks.Count > maxColumns) ks = Enumerable.Range(0, maxColumns).Select(i => ks[(int)Math.Round(i * (ks.Count - 1) / (double)(maxColumns - 1))]).Distinct().ToList();
        var table = new Table().Border(TableBorder.Simple).AddColumn("ranking").AddColumn("probe");
        foreach (var k in ks) table.AddColumn(new TableColumn($"k={k}").RightAligned());
        table.AddColumn(new TableColumn("all").RightAligned());
        int kMax = ks.Count > 0 ? ks[^1] : 0;
        table.AddColumn(new TableColumn($"selectivity k={kMax}").RightAligned());
        foreach (var g in r.Accuracy.Where(a => a.Selection is Selection.Top or Selection.Random).GroupBy(a => (a.Ranking, a.Probe)))
        {
            var oracle = r.Oracle.FirstOrDefault(o => o.Probe == g.Key.Probe);
            var cells = new List<string> { E(g.Key.Ranking), E(g.Key.Probe) };
            cells.AddRange(ks.Select(k =>
            {
                if (g.FirstOrDefault(a => a.K == k)?.TestAccuracy is not { } v) return "–";
                // random: the mean of the draws ± their sd
                return g.Key.Ranking == Selection.Random && r.RandomBaselines.FirstOrDefault(b => b.Probe == g.Key.Probe && b.K == k) is { Sd: { } sd, Draws: > 1 }
                    ? $"{v:0.000}±{sd:0.000}" : $"{v:0.000}";
            }));
            cells.Add(oracle?.TestAccuracy is { } o ? $"{o:0.000}" : "–");
            cells.Add(g.FirstOrDefault(a => a.K == kMax)?.Selectivity is { } sel ? $"{sel:+0.000;-0.000}" : "–");
            table.AddRow(cells.ToArray());
        }
        if (r.Oracle.Select(o => o.MajorityBaseline).FirstOrDefault(m => m is not null) is { } majority)
        {
            var row = new List<string> { "[dim]majority class[/]", "" };
            row.AddRange(ks.Select(_ => $"[dim]{majority:0.000}[/]"));
            row.Add($"[dim]{majority:0.000}[/]"); row.Add("");
            table.AddRow(row.ToArray());
        }
        if (r.Identity.Classes.Count > 0)
        {
            var row = new List<string> { "[dim]uniform chance[/]", "" };
            row.AddRange(ks.Select(_ => $"[dim]{1.0 / r.Identity.Classes.Count:0.000}[/]"));
            row.Add($"[dim]{1.0 / r.Identity.Classes.Count:0.000}[/]"); row.Add("");
            table.AddRow(row.ToArray());
        }
        return table;
    }

    /// <summary>Each probe on all neurons: train / dev / test, the control task and selectivity,
    /// beside the majority-class and uniform-chance accuracies.</summary>
    public static Table OracleTable(RunResults r)
    {
        static string A(double? v) => v is { } x ? $"{x:0.000}" : "–";
        var table = new Table().Border(TableBorder.Simple).AddColumn("all neurons");
        foreach (var c in new[] { "train", "dev", "test", "control test", "selectivity" }) table.AddColumn(new TableColumn(c).RightAligned());
        foreach (var o in r.Oracle)
            table.AddRow(E(o.Probe), A(o.TrainAccuracy), A(o.DevAccuracy), A(o.TestAccuracy), A(o.ControlAccuracy),
                o.Selectivity is { } sel ? $"{sel:+0.000;-0.000}" : "–");
        if (r.Oracle.Select(o => o.MajorityBaseline).FirstOrDefault(m => m is not null) is { } majority)
            table.AddRow("[dim]majority class[/]", "", "", $"[dim]{majority:0.000}[/]", "", "");
        if (r.Identity.Classes.Count > 0)
            table.AddRow("[dim]uniform chance[/]", "", "", $"[dim]{1.0 / r.Identity.Classes.Count:0.000}[/]", "", "");
        return table;
    }

    /// <summary>An intervention table with ranking / selection / k rows (as ablation writes), pivoted
    /// to one line per ranking × k with the top, random and bottom effects side by side: the
    /// metric's change ("delta") and, when present, the probe accuracy's change.</summary>
    public static (Table Table, string Metric, bool HasProbe)? SelectionTable(InterventionResult intervention)
    {
        foreach (var t in intervention.Tables)
        {
            int ranking = t.ColumnIndex("ranking"), selection = t.ColumnIndex("selection"), k = t.ColumnIndex("k"),
                metric = t.ColumnIndex("metric"), delta = t.ColumnIndex("delta"), probe = t.ColumnIndex("probe_delta");
            if (ranking < 0 || selection < 0 || k < 0 || delta < 0 || t.Rows.Count == 0) continue;
            // A probe column with no number (no probe configured) is left out rather than shown as NaN.
            if (probe >= 0 && !t.Rows.Any(row => IsNumber(row[probe]))) probe = -1;
            string[] selections = ["top", "random", "bottom"];
            string metricName = metric >= 0 ? Key(t.Rows[0], metric) : "metric";
            var table = new Table().Border(TableBorder.Simple).AddColumn("ranking").AddColumn(new TableColumn("k").RightAligned());
            foreach (var sel in selections) table.AddColumn(new TableColumn($"Δ {sel}").RightAligned());
            if (probe >= 0) foreach (var sel in selections) table.AddColumn(new TableColumn($"Δacc {sel}").RightAligned());
            static string Key(List<object?> row, int col) => row[col] is System.Text.Json.JsonElement e ? e.ToString() : Convert.ToString(row[col], System.Globalization.CultureInfo.InvariantCulture) ?? "";
            static string Num(object? v) => v switch
            {
                null => "–",
                System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } e => Signed(e.GetDouble()),
                System.Text.Json.JsonElement => "–",
                _ => Signed(Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)),
            };
            static string Signed(double d) => double.IsFinite(d) ? d.ToString("+0.0000;-0.0000;0", System.Globalization.CultureInfo.InvariantCulture) : "–";
            foreach (var g in t.Rows.GroupBy(row => (Ranking: Key(row, ranking), K: Key(row, k))))
            {
                var cells = new List<string> { E(g.Key.Ranking), g.Key.K };
                cells.AddRange(selections.Select(sel => Num(g.FirstOrDefault(row => Key(row, selection) == sel)?[delta])));
                if (probe >= 0) cells.AddRange(selections.Select(sel => Num(g.FirstOrDefault(row => Key(row, selection) == sel)?[probe])));
                table.AddRow(cells.ToArray());
            }
            return (table, metricName, probe >= 0);
        }
        return null;
    }

    private static string E(string text) => SafeMarkup.Escape(text);

    private static bool IsNumber(object? v) => v switch
    {
        null => false,
        System.Text.Json.JsonElement e => e.ValueKind == System.Text.Json.JsonValueKind.Number && double.IsFinite(e.GetDouble()),
        IConvertible c when v is not string => double.IsFinite(c.ToDouble(System.Globalization.CultureInfo.InvariantCulture)),
        _ => false,
    };

    /// <summary>The skill-neuron line (shared with report.html).</summary>
    public static string? SkillLine(InterventionResult i) => RunStory.SkillLine(i) is { } line ? TerminalText.Safe(line) : null;

    /// <summary>A minimal set: its size as chosen on dev, the test accuracy beside the oracle's, and
    /// its selectivity (control task) so a barely selective set is visible.</summary>
    public static string MinimalSetLine(MinimalSetResult m)
    {
        string head = $"minimal set {TerminalText.Safe(m.Ranking)}/{TerminalText.Safe(m.Probe)}: ";
        string chosen = m.SelectedOn is null ? "" : $" (k chosen on {m.SelectedOn}: {m.SelectionAccuracy:0.000} vs oracle {m.OracleSelectionAccuracy:0.000} − {m.Margin:0.###})";
        if (!m.Reached) return head + (m.SelectedOn is null ? "not reached on the k grid" : $"not reached within the oracle − {m.Margin:0.###} on {m.SelectedOn}");
        string selectivity = m.Selectivity is { } sel ? $"; control {m.ControlAccuracy:0.000}, selectivity {sel:+0.000;-0.000}" : "";
        return head + $"{m.K} neurons{chosen}: test {m.Accuracy:0.000} (oracle {m.OracleAccuracy:0.000}){selectivity}; " +
            $"layers {string.Join(", ", m.Layers.Select(l => $"L{l.Layer}:{l.Count}"))}";
    }

    public static void Write(IAnsiConsole console, RunResults r, string outDir, string? reportPath = "")
    {
        var id = r.Identity;
        console.MarkupLine($"[bold]{E(id.Task)}[/] in [bold]{E(id.Model)}[/]: {id.Classes.Count} classes, " +
            $"{id.TrainTokens}/{id.DevTokens}/{id.TestTokens} words used (train/dev/test), {id.Neurons} neurons, status {r.Status}");
        if (r.Oracle.Count > 0) console.Write(OracleTable(r));
        if (r.Accuracy.Count > 0)
        {
            int draws = r.Statistics?.RandomDraws ?? 1;
            console.WriteLine($"held-out accuracy of each probe on each ranking's top k neurons (random = mean ± sd of {draws} seeded draws of k random neurons); selectivity = task − control accuracy");
            console.Write(AccuracyTable(r));
        }
        foreach (var flag in SummaryFlags.Of(r).Concat(SummaryFlags.Caveats(r))) console.MarkupLine($"[yellow]![/] {E(flag)}");
        foreach (var m in r.MinimalSets) console.WriteLine(MinimalSetLine(m));
        foreach (var g in r.OracleFractions.GroupBy(f => (f.Ranking, f.Probe)))
            console.WriteLine($"neurons to reach {string.Join(" / ", g.Select(f => $"{f.Fraction:0.##%}"))} of the oracle ({g.First().SelectedOn}) " +
                $"{TerminalText.Safe(g.Key.Ranking)}/{TerminalText.Safe(g.Key.Probe)}: {string.Join(" / ", g.Select(f => f.Reached ? $"{f.K}" : "not reached"))}" +
                $" (test {string.Join(" / ", g.Select(f => f.TestAccuracy is { } t ? $"{t:0.000}" : "–"))})");
        foreach (var k in r.Rankings)
            console.WriteLine($"top of {TerminalText.Safe(k.Name)}: {string.Join(", ", k.Neurons.Take(5).Select(n => n.Neuron))}");
        foreach (var i in r.Interventions)
        {
            if (SelectionTable(i) is { } pivot)
            {
                string scored = i.Summary.TryGetValue("sentences", out double n) ? $" on the {n:0} sentences scored" : "";
                console.WriteLine($"{TerminalText.Safe(i.Method)} of each ranking's top / random / bottom k neurons{scored}: Δ = change of {TerminalText.Safe(pivot.Metric)}" + (pivot.HasProbe ? ", Δacc = change of the probe's accuracy" : ""));
                console.Write(pivot.Table);
            }
            else console.WriteLine(SkillLine(i) ?? TerminalText.Safe($"{i.Method}: {string.Join(", ", i.Summary.Select(kv => $"{kv.Key} = {kv.Value:G4}"))}"));
        }
        foreach (var f in r.PluginFailures)
            console.WriteLine($"FAILED {f.Kind} '{TerminalText.Safe(f.Plugin)}': {TerminalText.Safe(f.Reason)}");
        if (reportPath is not null) console.WriteLine($"report: {(reportPath.Length > 0 ? reportPath : Path.Combine(outDir, ReportFolder.ReportFile))}");
        else console.WriteLine($"results: {outDir}");
    }
}
