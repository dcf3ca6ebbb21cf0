namespace NeuronHost.Core.Reports.Svg;

/// <summary>One line: points in data units, its colour, an optional dash pattern and marker shape
/// (-1: no markers). <paramref name="Baseline"/> names what a baseline series is (e.g. "random"
/// for random-k, "control" for the control task); null for the data itself.
/// <paramref name="Band"/>: an interval (lower, upper) per x, drawn as a shaded area.</summary>
public sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Color,
    string? Dash = null, int Marker = 0, double Width = 1.7, string? Baseline = null,
    IReadOnlyList<(double X, double Low, double High)>? Band = null);

/// <summary>A horizontal reference line (the all-neuron accuracy, the majority class, chance, no
/// change); <paramref name="Baseline"/> names it in the SVG (data-baseline).</summary>
public sealed record ReferenceLine(string Name, double Y, string Color, string Dash = "1,0", string Baseline = "reference");

public static class LineChart
{
    /// <summary>Renders the series; <paramref name="yMin"/>/<paramref name="yMax"/> force the y
    /// range (accuracies: 0..1) when given. Series without a finite point are left out.</summary>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<LineSeries> series,
        double? yMin = null, double? yMax = null, IReadOnlyList<ReferenceLine>? references = null,
        double width = 520, double height = 320, bool logXWhenWide = false)
    {
        references = (references ?? []).Where(r => double.IsFinite(r.Y)).ToList();
        series = series.Select(s => s with { Points = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).OrderBy(p => p.X).ToList() })
            .Where(s => s.Points.Count > 0).ToList();
        var bands = series.SelectMany(s => s.Band ?? []).Where(b => double.IsFinite(b.Low) && double.IsFinite(b.High)).ToList();
        var xs = series.SelectMany(s => s.Points).Select(p => p.X).ToList();
        var ys = series.SelectMany(s => s.Points).Select(p => p.Y).Concat(references.Select(r => r.Y))
            .Concat(bands.SelectMany(b => new[] { b.Low, b.High })).ToList();
        var x = new NiceScale(xs.Count == 0 ? 0 : xs.Min(), xs.Count == 0 ? 1 : xs.Max(), 7);
        var y = new NiceScale(yMin ?? (ys.Count == 0 ? 0 : ys.Min()), yMax ?? (ys.Count == 0 ? 1 : ys.Max()), 6);
        var legend = series.Select(s => new LegendEntry(s.Name, s.Color, s.Dash, s.Points.Count <= 40 ? s.Marker : -1))
            .Concat(references.Select(r => new LegendEntry(r.Name, r.Color, r.Dash))).ToList();
        // k grids (1, 5, 10, 30, 100) crowd the small k into a corner of a linear axis.
        bool log = logXWhenWide && xs.Count > 0 && xs.Min() > 0 && xs.Max() / xs.Min() >= 20;
        if (log) xLabel = xLabel.EndsWith(')') ? xLabel[..^1] + ", log scale)" : xLabel + " (log scale)";
        var frame = new ChartFrame(title, xLabel, yLabel, width, height, "line");
        var svg = log ? frame.BeginLog(xs.Min(), xs.Max(), y, legend) : frame.Begin(x, y, legend);
        foreach (var r in references)
        {
            svg.BeginGroup("baseline", r.Name, r.Baseline, 1);
            svg.Line(frame.Left, frame.Py(r.Y), frame.Left + frame.PlotWidth, frame.Py(r.Y), r.Color, 1.2, r.Dash);
            svg.EndGroup();
        }
        foreach (var s in series)
        {
            svg.BeginGroup(s.Baseline is null ? "series" : "baseline", s.Name, s.Baseline, s.Points.Count);
            if (s.Band is { Count: > 0 } band)
            {
                var ok = band.Where(b => double.IsFinite(b.X) && double.IsFinite(b.Low) && double.IsFinite(b.High)).OrderBy(b => b.X).ToList();
                svg.Band(ok.Select(b => (frame.Px(b.X), frame.Py(b.High))).ToList(), ok.Select(b => (frame.Px(b.X), frame.Py(b.Low))).ToList(), s.Color);
            }
            var pts = s.Points.Select(p => (frame.Px(p.X), frame.Py(p.Y))).ToList();
            svg.Polyline(pts, s.Color, s.Width, s.Dash);
            if (s.Marker >= 0 && pts.Count <= 40)
                foreach (var (px, py) in pts) svg.Marker(px, py, s.Marker, s.Color);
            svg.EndGroup();
        }
        return svg.ToString();
    }
}
