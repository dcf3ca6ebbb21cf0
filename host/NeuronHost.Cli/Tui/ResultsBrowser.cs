using NeuronHost.Cli.Commands;
using NeuronHost.Core.Config;
using NeuronHost.Core.Reports;
using Spectre.Console;

namespace NeuronHost.Cli.Tui;

/// <summary>Browse a run's results with the keyboard: rankings with their top neurons and
/// max-activating words, accuracy vs k as a text chart, layer distribution as a bar chart,
/// intervention tables. Every view fits 80×24.</summary>
public sealed class ResultsBrowser(IAnsiConsole console, RunResults results, AnalysisConfig config)
{
    private const string Rankings = "Rankings: top neurons", Chart = "Accuracy vs k (chart)", Layers = "Layer distribution",
        Interventions = "Interventions", Save = "Save choices as analysis.yaml", Quit = "Quit";

    public void Show()
    {
        while (true)
        {
            console.Clear();
            Overview();
            var choices = new List<string>();
            if (results.Rankings.Count > 0) choices.Add(Rankings);
            if (results.Accuracy.Count > 0) choices.Add(Chart);
            if (results.Rankings.Count > 0) choices.Add(Layers);
            if (results.Interventions.Count > 0) choices.Add(Interventions);
            choices.Add(Save);
            choices.Add(Quit);
            var choice = console.Prompt(new SelectionPrompt<string>().Title("[bold]Results[/]").AddChoices(choices).PageSize(8));
            console.Clear();
            switch (choice)
            {
                case Rankings: ShowRanking(); break;
                case Chart: ShowChart(); break;
                case Layers: ShowLayers(); break;
                case Interventions: ShowInterventions(); break;
                case Save: SaveYaml(console, config); break;
                default: return;
            }
            if (choice != Rankings && choice != Save) Pause();
        }
    }

    private void Overview()
    {
        var id = results.Identity;
        console.MarkupLine($"[bold]{SafeMarkup.Escape(id.Task)}[/] in [bold]{SafeMarkup.Escape(id.Model)}[/] · {id.TrainTokens + id.DevTokens + id.TestTokens} words · " +
            $"{id.Neurons} neurons · " + (results.Status == RunStatus.Complete ? "[green]complete[/]" : $"[yellow]{SafeMarkup.Escape(results.Status)}[/]"));
        if (results.Accuracy.Count > 0) console.Write(ResultsSummary.AccuracyTable(results, maxColumns: Math.Clamp((TerminalSize.Width - 40) / 8, 2, 6)));
        console.MarkupLine($"[grey]report: {SafeMarkup.Escape(Path.Combine(config.OutputDir, ReportFolder.ReportFile))}[/]");
    }

    private void Pause()
    {
        console.MarkupLine("[grey]press any key to go back[/]");
        console.Input.ReadKey(true);
    }

    private void ShowRanking()
    {
        var ranking = results.Rankings.Count == 1 ? results.Rankings[0]
            : console.Prompt(new SelectionPrompt<RankingResult>().Title("Which ranking?").AddChoices(results.Rankings).UseConverter(r => SafeMarkup.Escape(r.Name)));
        console.Clear();
        int width = TerminalSize.Width;
        var table = new Table().Border(TableBorder.Simple).Title($"[bold]{SafeMarkup.Escape(ranking.Name)}[/]: top neurons")
            .AddColumn(new TableColumn("#").RightAligned()).AddColumn("neuron").AddColumn(new TableColumn("layer").RightAligned())
            .AddColumn(new TableColumn("score").RightAligned()).AddColumn("max-activating words");
        int wordsWidth = Math.Max(10, width - 44);
        foreach (var n in ranking.Neurons.Take(Math.Clamp(TerminalSize.Height - 9, 3, 15)))
        {
            var ctx = results.TopNeuronContexts.FirstOrDefault(c => c.Ranking == ranking.Name && c.Rank == n.Rank);
            string words = ctx is null ? "" : string.Join(", ", ctx.Examples.Select(e => e.Word).Distinct());
            table.AddRow(n.Rank.ToString(), SafeMarkup.Escape(ShortNeuron(n.HookPoint, n.Index)), n.Layer.ToString(), $"{n.Score:G4}",
                SafeMarkup.Escape(SetupWizard.Shorten(words, wordsWidth)));
        }
        console.Write(table);
        Pause();
    }

    /// <summary>"blocks.1.mlp.hook_post[103]" → "mlp_post[103]" (the layer has its own column).</summary>
    public static string ShortNeuron(string hook, int index)
    {
        int layer = NeuronHost.Sdk.HookPoints.LayerOf(hook);
        string rest = layer >= 0 ? hook[(hook.IndexOf('.', 7) + 1)..] : hook;
        return $"{rest.Replace("hook_", "").Replace('.', '_')}[{index}]";
    }

    private void ShowChart()
    {
        var probes = results.Accuracy.Select(a => a.Probe).Distinct().ToList();
        string probe = probes.Count == 1 ? probes[0] : console.Prompt(new SelectionPrompt<string>().Title("Which probe?").AddChoices(probes));
        console.Clear();
        char[] markers = ['●', '■', '▲', '◆', '○', '□'];
        string[] colors = ["blue", "darkorange", "green", "magenta", "yellow", "aqua"];
        var series = new List<TextLineChart.Series>();
        var rankings = results.Accuracy.Where(a => a.Probe == probe && a.Selection == Selection.Top).Select(a => a.Ranking).Distinct().ToList();
        for (int i = 0; i < rankings.Count; i++)
            series.Add(new TextLineChart.Series(rankings[i], Points(probe, rankings[i], Selection.Top), markers[i % markers.Length], colors[i % colors.Length]));
        var random = results.Accuracy.Where(a => a.Probe == probe && a.Selection == Selection.Random).GroupBy(a => a.K)
            .Select(g => ((double)g.Key, g.Average(a => a.TestAccuracy ?? double.NaN))).OrderBy(p => p.Item1).ToList();
        if (random.Count > 0 && rankings.All(r => r != Selection.Random)) series.Add(new TextLineChart.Series("random-k", random, '×', "grey"));
        var chart = new TextLineChart { Width = Math.Clamp(TerminalSize.Width - 12, 20, 100), Height = Math.Clamp(TerminalSize.Height - 8, 6, 20) };
        console.MarkupLine($"[bold]Accuracy vs k[/] · {SafeMarkup.Escape(probe)} probe on each ranking's top-k neurons");
        foreach (var line in chart.Render(series, "test accuracy", "k (neurons)")) console.MarkupLine(line);
    }

    private List<(double, double)> Points(string probe, string ranking, string selection) =>
        results.Accuracy.Where(a => a.Probe == probe && a.Ranking == ranking && a.Selection == selection && a.TestAccuracy.HasValue)
            .OrderBy(a => a.K).Select(a => ((double)a.K, a.TestAccuracy!.Value)).ToList();

    private void ShowLayers()
    {
        int top = NeuronHost.Core.Reports.Html.LayerSectionAccess.TopCount(results);
        var layers = LayerDistribution.Layers(results.Rankings);
        var chart = new BarChart().Width(Math.Min(TerminalSize.Width - 2, 78))
            .Label($"[bold]Top-{top} neurons of each ranking by layer[/]");
        Color[] palette = [Color.Blue, Color.DarkOrange, Color.Green, Color.Magenta1, Color.Yellow, Color.Aqua];
        int limit = Math.Max(2, TerminalSize.Height - 5);
        int added = 0;
        for (int r = 0; r < results.Rankings.Count; r++)
        {
            var counts = LayerDistribution.Count(results.Rankings[r], top, layers);
            for (int i = 0; i < layers.Count && added < limit; i++, added++)
                chart.AddItem($"{SetupWizard.Shorten(results.Rankings[r].Name, 12)} L{layers[i]}", counts[i], palette[r % palette.Length]);
        }
        console.Write(chart);
    }

    private void ShowInterventions()
    {
        foreach (var iv in results.Interventions)
        {
            console.MarkupLine($"[bold]{SafeMarkup.Escape(iv.Method)}[/]  " + SafeMarkup.Escape(string.Join("  ", iv.Summary.Take(4).Select(kv => $"{kv.Key}={kv.Value:G4}"))));
            foreach (var t in iv.Tables.Take(1))
            {
                var table = new Table().Border(TableBorder.Simple).Title(SafeMarkup.Escape(t.Name));
                foreach (var col in t.Columns.Take(6)) table.AddColumn(SafeMarkup.Escape(col));
                foreach (var row in t.Rows.Take(Math.Max(3, TerminalSize.Height - 10)))
                    table.AddRow(row.Take(6).Select(v => SafeMarkup.Escape(v is double d ? d.ToString("G4") : v?.ToString() ?? "")).ToArray());
                console.Write(table);
            }
        }
    }

    /// <summary>Asks for a path and writes the config there as analysis.yaml.</summary>
    public static string SaveYaml(IAnsiConsole console, AnalysisConfig config)
    {
        string path = Path.GetFullPath(console.Prompt(new TextPrompt<string>("Save as:").DefaultValue("analysis.yaml")));
        File.WriteAllText(path, AnalysisYaml.Save(config));
        console.MarkupLine($"saved [bold]{SafeMarkup.Escape(path)}[/] · rerun with [bold]neuronhost run {SafeMarkup.Escape(Path.GetFileName(path))}[/]");
        return path;
    }
}
