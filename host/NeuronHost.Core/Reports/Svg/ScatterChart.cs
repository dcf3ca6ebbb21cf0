namespace NeuronHost.Core.Reports.Svg;

public static class ScatterChart
{
    /// <summary>Points with the least-squares line y = a + b·x and Pearson r in the legend.</summary>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<(double X, double Y)> points,
        string color = "#0072B2", double width = 520, double height = 360)
    {
        var p = points.Where(q => double.IsFinite(q.X) && double.IsFinite(q.Y)).ToArray();
        var fit = Fit(p);
        var x = new NiceScale(p.Length == 0 ? 0 : p.Min(q => q.X), p.Length == 0 ? 1 : p.Max(q => q.X), 7);
        var y = new NiceScale(p.Length == 0 ? 0 : p.Min(q => q.Y), p.Length == 0 ? 1 : p.Max(q => q.Y), 6);
        var legend = new List<LegendEntry> { new($"neurons (n = {p.Length})", color, Marker: 0) };
        legend[0] = legend[0] with { Dash = "0,100" };
        if (fit is { } f) legend.Add(new LegendEntry($"fit, r = {f.R:F3}", Palette.Color(1)));
        var frame = new ChartFrame(title, xLabel, yLabel, width, height, "scatter");
        var svg = frame.Begin(x, y, legend);
        double opacity = p.Length > 500 ? 0.35 : 0.7;
        svg.BeginGroup("series", "neurons", points: p.Length);
        foreach (var q in p) svg.Circle(frame.Px(q.X), frame.Py(q.Y), 2.4, color, opacity: opacity);
        svg.EndGroup();
        if (fit is { } g)
        {
            // Clip the fitted line to the plot's y range.
            var seg = new List<(double, double)>();
            for (int i = 0; i <= 50; i++)
            {
                double xv = x.Min + (x.Max - x.Min) * i / 50, yv = g.Intercept + g.Slope * xv;
                if (yv >= y.Min && yv <= y.Max) seg.Add((frame.Px(xv), frame.Py(yv)));
            }
            svg.Polyline(seg, Palette.Color(1), 1.8);
        }
        return svg.ToString();
    }

    /// <summary>Ordinary least squares and Pearson r; null with fewer than 2 distinct x.</summary>
    public static (double Slope, double Intercept, double R)? Fit(IReadOnlyList<(double X, double Y)> p)
    {
        if (p.Count < 2) return null;
        double mx = p.Average(q => q.X), my = p.Average(q => q.Y), sxx = 0, syy = 0, sxy = 0;
        foreach (var (x, y) in p) { sxx += (x - mx) * (x - mx); syy += (y - my) * (y - my); sxy += (x - mx) * (y - my); }
        if (sxx <= 0) return null;
        double slope = sxy / sxx;
        double r = syy <= 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
        return (slope, my - slope * mx, r);
    }
}
