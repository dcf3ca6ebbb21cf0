namespace NeuronHost.Core.Reports.Svg;

/// <summary>One line: points in data units, its colour, an optional dash pattern and marker shape
/// (-1: no markers).</summary>
public sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Color,
    string? Dash = null, int Marker = 0, double Width = 1.7);

/// <summary>A horizontal reference line (e.g. the all-neuron accuracy).</summary>
public sealed record ReferenceLine(string Name, double Y, string Color, string Dash = "1,0");

public static class LineChart
{
    /// <summary>Renders the series; <paramref name="yMin"/>/<paramref name="yMax"/> force the y
    /// range (accuracies: 0..1) when given.</summary>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<LineSeries> series,
        double? yMin = null, double? yMax = null, IReadOnlyList<ReferenceLine>? references = null,
        double width = 520, double height = 320)
    {
        references ??= [];
        var xs = series.SelectMany(s => s.Points).Select(p => p.X).Where(double.IsFinite).ToList();
        var ys = series.SelectMany(s => s.Points).Select(p => p.Y).Concat(references.Select(r => r.Y)).Where(double.IsFinite).ToList();
        var x = new NiceScale(xs.Count == 0 ? 0 : xs.Min(), xs.Count == 0 ? 1 : xs.Max(), 7);
        var y = new NiceScale(yMin ?? (ys.Count == 0 ? 0 : ys.Min()), yMax ?? (ys.Count == 0 ? 1 : ys.Max()), 6);
        var legend = series.Select(s => new LegendEntry(s.Name, s.Color, s.Dash, s.Points.Count <= 40 ? s.Marker : -1))
            .Concat(references.Select(r => new LegendEntry(r.Name, r.Color, r.Dash))).ToList();
        var frame = new ChartFrame(title, xLabel, yLabel, width, height);
        var svg = frame.Begin(x, y, legend);
        foreach (var r in references)
            svg.Line(frame.Left, frame.Py(r.Y), frame.Left + frame.PlotWidth, frame.Py(r.Y), r.Color, 1.2, r.Dash);
        foreach (var s in series)
        {
            var pts = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
                .OrderBy(p => p.X).Select(p => (frame.Px(p.X), frame.Py(p.Y))).ToList();
            svg.Polyline(pts, s.Color, s.Width, s.Dash);
            if (s.Marker >= 0 && pts.Count <= 40)
                foreach (var (px, py) in pts) svg.Marker(px, py, s.Marker, s.Color);
        }
        return svg.ToString();
    }
}
