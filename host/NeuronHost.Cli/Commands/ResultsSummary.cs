using NeuronHost.Core.Reports;
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
        oracle = r.Oracle.Select(o => new { probe = o.Probe, accuracy = o.TestAccuracy, control = o.ControlAccuracy, selectivity = o.Selectivity, majority = o.MajorityBaseline }),
        rankings = r.Rankings.Select(k => new
        {
            name = k.Name,
            top = k.Neurons.Take(10).Select(n => new { neuron = n.Neuron, layer = n.Layer, score = n.Score }),
        }),
        minimalSets = r.MinimalSets.Select(m => new { ranking = m.Ranking, probe = m.Probe, k = m.K, accuracy = m.Accuracy, reached = m.Reached }),
        interventions = r.Interventions.Select(i => new { method = i.Method, summary = i.Summary }),
        timings = r.Timings.Select(t => new { stage = t.Stage, seconds = t.Seconds }),
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
        foreach (var g in r.Accuracy.Where(a => a.Selection is Selection.Top or Selection.Random).GroupBy(a => (a.Ranking, a.Probe)))
        {
            var oracle = r.Oracle.FirstOrDefault(o => o.Probe == g.Key.Probe);
            var cells = new List<string> { Markup.Escape(g.Key.Ranking), Markup.Escape(g.Key.Probe) };
            cells.AddRange(ks.Select(k => g.FirstOrDefault(a => a.K == k)?.TestAccuracy is { } v ? $"{v:0.000}" : "–"));
            cells.Add(oracle?.TestAccuracy is { } o ? $"{o:0.000}" : "–");
            table.AddRow(cells.ToArray());
        }
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
            string[] selections = ["top", "random", "bottom"];
            string metricName = metric >= 0 ? Key(t.Rows[0], metric) : "metric";
            var table = new Table().Border(TableBorder.Simple).AddColumn("ranking").AddColumn(new TableColumn("k").RightAligned());
            foreach (var sel in selections) table.AddColumn(new TableColumn($"Δ {sel}").RightAligned());
            if (probe >= 0) foreach (var sel in selections) table.AddColumn(new TableColumn($"Δacc {sel}").RightAligned());
            static string Key(List<object?> row, int col) => row[col] is System.Text.Json.JsonElement e ? e.ToString() : Convert.ToString(row[col], System.Globalization.CultureInfo.InvariantCulture) ?? "";
            static string Num(object? v) => v switch
            {
                null => "–",
                System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } e => e.GetDouble().ToString("+0.0000;-0.0000;0", System.Globalization.CultureInfo.InvariantCulture),
                System.Text.Json.JsonElement => "–",
                _ => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture).ToString("+0.0000;-0.0000;0", System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var g in t.Rows.GroupBy(row => (Ranking: Key(row, ranking), K: Key(row, k))))
            {
                var cells = new List<string> { Markup.Escape(g.Key.Ranking), g.Key.K };
                cells.AddRange(selections.Select(sel => Num(g.FirstOrDefault(row => Key(row, selection) == sel)?[delta])));
                if (probe >= 0) cells.AddRange(selections.Select(sel => Num(g.FirstOrDefault(row => Key(row, selection) == sel)?[probe])));
                table.AddRow(cells.ToArray());
            }
            return (table, metricName, probe >= 0);
        }
        return null;
    }

    public static void Write(IAnsiConsole console, RunResults r, string outDir)
    {
        console.MarkupLine($"[bold]{Markup.Escape(r.Identity.Task)}[/] in [bold]{Markup.Escape(r.Identity.Model)}[/]: " +
            $"{r.Identity.TrainTokens + r.Identity.DevTokens + r.Identity.TestTokens} words, {r.Identity.Neurons} neurons, status {r.Status}");
        if (r.Accuracy.Count > 0) console.Write(AccuracyTable(r));
        foreach (var m in r.MinimalSets)
            console.WriteLine($"minimal set {m.Ranking}/{m.Probe}: " + (m.Reached
                ? $"{m.K} neurons reach {m.Accuracy:0.000} (oracle {m.OracleAccuracy:0.000}); layers {string.Join(", ", m.Layers.Select(l => $"L{l.Layer}:{l.Count}"))}"
                : "not reached on the k grid"));
        foreach (var k in r.Rankings)
            console.WriteLine($"top of {k.Name}: {string.Join(", ", k.Neurons.Take(5).Select(n => n.Neuron))}");
        foreach (var i in r.Interventions)
        {
            if (SelectionTable(i) is { } pivot)
            {
                console.WriteLine($"{i.Method} of each ranking's top / random / bottom k neurons: Δ = change of {pivot.Metric}" + (pivot.HasProbe ? ", Δacc = change of the probe's accuracy" : ""));
                console.Write(pivot.Table);
            }
            else console.WriteLine($"{i.Method}: {string.Join(", ", i.Summary.Take(4).Select(kv => $"{kv.Key} = {kv.Value:G4}"))}");
        }
        console.WriteLine($"report: {Path.Combine(outDir, ReportFolder.ReportFile)}");
    }
}
