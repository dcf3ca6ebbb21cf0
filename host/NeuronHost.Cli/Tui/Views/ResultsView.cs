using System.Globalization;
using NeuronHost.Cli.Tui.Models;
using NeuronHost.Core.Reports;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>The Results view of one run: a summary line over four tabs — rankings (sortable
/// table; Enter opens a neuron), accuracy vs k, layer distribution, interventions.</summary>
public sealed class ResultsView : View
{
    private readonly RunResults results;
    private readonly Tabs tabs = new() { X = 0, Y = 3, Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly RankingsTab rankings;
    private readonly AccuracyTab accuracy;

    public string Folder { get; }

    /// <summary>Raised when Enter (or a double click) opens a neuron of a ranking.</summary>
    public event Action<string, RankedNeuronResult>? NeuronOpened
    {
        add => rankings.NeuronOpened += value;
        remove => rankings.NeuronOpened -= value;
    }

    public ResultsView(RunResults results, string folder)
    {
        this.results = results;
        Folder = folder;
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;
        var id = results.Identity;
        var summary = PlainText.Of(new Label
        {
            X = 0, Y = 0, Width = Dim.Fill(), Height = 3,
            Text = $"{id.Task} in {Path.GetFileName(id.Model.TrimEnd('/'))} · {results.Status}{(results.StatusMessage is { } m ? " (" + m + ")" : "")} · {folder}\n" +
                $"{id.TrainTokens:N0}/{id.DevTokens:N0}/{id.TestTokens:N0} train/dev/test words · {id.Neurons:N0} neurons\n{Baseline()}",
        });
        rankings = new RankingsTab(results) { Title = "Rankings" };
        accuracy = new AccuracyTab(results) { Title = "Accuracy vs k" };
        tabs.Add(rankings, accuracy, LayersTab(), InterventionsTab());
        Add(summary, tabs);
    }

    private string Baseline()
    {
        var o = results.Oracle.FirstOrDefault();
        if (o is null) return "no probe was run";
        return $"judge against: majority baseline {Pct(o.MajorityBaseline)} · {o.Probe} on all neurons {Pct(o.TestAccuracy)} (control task {Pct(o.ControlAccuracy)})";
    }

    internal static string Pct(double? v) => v is double d ? d.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    /// <summary>Shows the next tab (F6).</summary>
    public void NextTab()
    {
        var all = tabs.TabCollection.ToList();
        int i = tabs.Value is { } v ? all.IndexOf(v) : -1;
        tabs.Value = all[(i + 1) % all.Count];
    }

    public void SortRankings(bool reverse) => rankings.SortNext(reverse);

    public bool RankingsShown => tabs.Value == rankings;

    /// <summary>Opens the neuron under the rankings table's cursor.</summary>
    public void OpenNeuron() => rankings.OpenCursorNeuron();

    public RankingTable CurrentTable => rankings.Current;

    private View LayersTab()
    {
        var tab = new View { Title = "Layers", Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        var text = TextLines.Create(LayerText());
        tab.Add(text);
        return tab;
    }

    /// <summary>Per ranking, how its top neurons spread over the layers, as text bars.</summary>
    private string LayerText()
    {
        if (results.Rankings.Count == 0) return "No ranking was run.";
        int top = NeuronHost.Core.Reports.Html.LayerSectionAccess.TopCount(results);
        var layers = LayerDistribution.Layers(results.Rankings);
        var lines = new List<string> { $"Top-{top} neurons of each ranking by layer (an even spread would be {top / (double)Math.Max(1, layers.Count):0.#} per layer)", "" };
        foreach (var r in results.Rankings)
        {
            var counts = LayerDistribution.Count(r, top, layers);
            lines.Add(r.Name);
            for (int i = 0; i < layers.Count; i++)
                lines.Add($"  layer {layers[i],2} {new string('█', (int)Math.Round(40.0 * counts[i] / Math.Max(1, top)))} {counts[i]}");
        }
        return string.Join('\n', lines);
    }

    private View InterventionsTab()
    {
        var tab = new View { Title = "Interventions", Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        if (results.Interventions.Count == 0)
        {
            tab.Add(new Label { Text = "No intervention was run." });
            return tab;
        }
        var entries = results.Interventions.SelectMany(iv => iv.Tables.Select(t => (iv, t))).ToList();
        var list = new ListView { X = 0, Y = 0, Width = Dim.Percent(30), Height = Dim.Fill() };
        list.SetSource(new System.Collections.ObjectModel.ObservableCollection<string>(entries.Select(e => $"{e.iv.Method}: {e.t.Name}")));
        var summary = PlainText.Of(new Label { X = Pos.Right(list) + 1, Y = 0, Width = Dim.Fill(), Height = 2 });
        var table = new TableView { X = Pos.Right(list) + 1, Y = 2, Width = Dim.Fill(), Height = Dim.Fill() };
        void Show(int i)
        {
            var (iv, t) = entries[i];
            summary.Text = string.Join("  ", iv.Summary.Select(kv => $"{kv.Key}={kv.Value.ToString("G4", CultureInfo.InvariantCulture)}"));
            table.Table = TextTableSource.From(t);
        }
        list.ValueChanged += (_, _) => { if (list.SelectedItem is int i) Show(i); };
        if (entries.Count > 0) { list.SelectedItem = 0; Show(0); }
        tab.Add(list, summary, table);
        return tab;
    }
}
