using System.Collections.ObjectModel;
using System.Drawing;
using System.Globalization;
using System.Text;
using NeuronHost.Cli.Tui.Models;
using NeuronHost.Core.Reports;
using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;
using Attribute = Terminal.Gui.Drawing.Attribute;
using Color = Terminal.Gui.Drawing.Color;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>The accuracy-vs-k tab: for the chosen probe, each ranking's top-k test accuracy as a
/// line, the same neurons on the control task as a dotted line, and the majority-class baseline
/// and all-neuron accuracy as horizontal lines to judge them against. The k values are evenly
/// spaced along x (the grid is usually roughly logarithmic).</summary>
public sealed class AccuracyTab : View
{
    private static readonly char[] Markers = ['●', '■', '▲', '◆', '○', '□'];
    private static readonly Color[] Colors = [Color.BrightBlue, Color.BrightRed, Color.BrightGreen, Color.BrightMagenta, Color.BrightCyan, Color.Yellow];
    private readonly RunResults results;
    private readonly IReadOnlyList<string> probes;
    private readonly ListView probeList = new() { X = 0, Y = 0, Width = 18, Height = Dim.Fill() };
    private readonly GraphView graph = new() { X = 19, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(3) };
    private readonly Label legend = PlainText.Of(new Label { X = 19, Y = Pos.AnchorEnd(3), Width = Dim.Fill(), Height = 3 });
    private AccuracyChartData? data;

    public AccuracyTab(RunResults results)
    {
        this.results = results;
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;
        probes = AccuracyChartData.Probes(results);
        probeList.SetSource(new ObservableCollection<string>(probes));
        probeList.ValueChanged += (_, _) => { if (probeList.SelectedItem is int i && i < probes.Count) Show(probes[i]); };
        graph.ViewportChanged += (_, _) => Fit();
        Add(probeList, graph, legend);
        if (probes.Count > 0) { probeList.SelectedItem = 0; Show(probes[0]); }
        else legend.Text = "No probe was run, so there is no accuracy to draw.";
    }

    private void Show(string probe)
    {
        data = AccuracyChartData.For(results, probe);
        var ks = data.Rankings.Concat(data.Controls).SelectMany(s => s.Points).Select(p => p.K).Distinct().Order().ToList();
        float X(int k) => ks.IndexOf(k);
        graph.Reset();
        graph.MarginLeft = 6;
        graph.MarginBottom = 2;
        graph.AxisY.Minimum = 0;
        graph.AxisY.Increment = 0.1f;
        graph.AxisY.ShowLabelsEvery = 2;
        graph.AxisY.LabelGetter = v => v.Value.ToString("0.0", CultureInfo.InvariantCulture);
        graph.AxisY.Text = "acc";
        graph.AxisX.Minimum = 0;
        graph.AxisX.Increment = 1;
        graph.AxisX.ShowLabelsEvery = 1;
        graph.AxisX.LabelGetter = v => (int)Math.Round(v.Value) is int i && i >= 0 && i < ks.Count && Math.Abs(v.Value - i) < 0.01 ? ks[i].ToString(CultureInfo.InvariantCulture) : "";
        graph.AxisX.Text = "k →";
        var text = new StringBuilder();
        var background = graph.GetAttributeForRole(VisualRole.Normal).Background;
        for (int s = 0; s < data.Rankings.Count; s++)
        {
            var color = new Attribute(Colors[s % Colors.Length], background);
            var points = data.Rankings[s].Points.Select(p => new PointF(X(p.K), (float)p.Accuracy)).ToList();
            graph.Annotations.Add(new PathAnnotation { LineColor = color, Points = points, BeforeSeries = true });
            graph.Series.Add(new ScatterSeries { Points = points, Fill = new GraphCellToRender((Rune)Markers[s % Markers.Length], color) });
            text.Append($"{Markers[s % Markers.Length]} {data.Rankings[s].Name}   ");
        }
        for (int s = 0; s < data.Controls.Count; s++)
        {
            var color = new Attribute(Colors[s % Colors.Length], background);
            var points = data.Controls[s].Points.Select(p => new PointF(X(p.K), (float)p.Accuracy)).ToList();
            graph.Series.Add(new ScatterSeries { Points = points, Fill = new GraphCellToRender((Rune)'×', color) });
        }
        if (data.Controls.Count > 0) text.Append("× control task (same neurons)   ");
        float right = Math.Max(1, ks.Count - 1);
        if (data.MajorityBaseline is double b)
        {
            graph.Annotations.Add(new PathAnnotation { Points = [new PointF(0, (float)b), new PointF(right, (float)b)], LineRune = new Rune('┄'), BeforeSeries = true });
            text.Append($"┄ majority baseline {b:0.000}   ");
        }
        if (data.AllNeurons is double a)
        {
            graph.Annotations.Add(new PathAnnotation { Points = [new PointF(0, (float)a), new PointF(right, (float)a)], LineRune = new Rune('═'), BeforeSeries = true });
            text.Append($"═ all neurons {a:0.000}");
        }
        legend.Text = $"{probe}: test accuracy on each ranking's top-k neurons\n{text}";
        Fit();
    }

    /// <summary>Scales the axes so k from first to last and accuracy 0–1 fill the graph.</summary>
    private void Fit()
    {
        if (data is null) return;
        int ks = data.Rankings.Concat(data.Controls).SelectMany(s => s.Points).Select(p => p.K).Distinct().Count();
        int width = Math.Max(4, graph.Viewport.Width - (int)graph.MarginLeft - 2);
        int height = Math.Max(3, graph.Viewport.Height - (int)graph.MarginBottom - 1);
        graph.CellSize = new PointF(Math.Max(1, ks - 1) / (float)width, 1.05f / height);
        graph.ScrollOffset = new PointF(0, 0);
        graph.SetNeedsDraw();
    }
}
