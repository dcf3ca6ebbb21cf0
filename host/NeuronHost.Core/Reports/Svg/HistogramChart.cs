namespace NeuronHost.Core.Reports.Svg;

public static class HistogramChart
{
    /// <summary>Counts of the finite values in equal bins over a nice range, with the mean and
    /// median marked.</summary>
    public static string Render(string title, string xLabel, IReadOnlyList<double> values, int bins = 30,
        string color = "#0072B2", double? xMin = null, double? xMax = null, double width = 520, double height = 320)
    {
        var v = values.Where(double.IsFinite).OrderBy(a => a).ToArray();
        double lo = xMin ?? (v.Length == 0 ? 0 : v[0]), hi = xMax ?? (v.Length == 0 ? 1 : v[^1]);
        var x = new NiceScale(lo, hi, 7);
        bins = Math.Max(1, bins);
        var counts = new long[bins];
        double binWidth = (x.Max - x.Min) / bins;
        foreach (var a in v) counts[Math.Clamp((int)((a - x.Min) / binWidth), 0, bins - 1)]++;
        var y = new NiceScale(0, Math.Max(1, counts.Max()), 6, includeZero: true);
        double mean = v.Length == 0 ? double.NaN : v.Average();
        double median = v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        var legend = new List<LegendEntry> { new($"n = {v.Length}", color, Box: true) };
        if (v.Length > 0)
        {
            legend.Add(new LegendEntry($"mean {mean:F3}", Palette.Axis, "5,3"));
            legend.Add(new LegendEntry($"median {median:F3}", Palette.Axis, Palette.Dotted));
        }
        var frame = new ChartFrame(title, xLabel, "neurons (count)", width, height, "histogram");
        var svg = frame.Begin(x, y, legend);
        svg.BeginGroup("series", title, points: v.Length);
        for (int b = 0; b < bins; b++)
        {
            if (counts[b] == 0) continue;
            double x0 = frame.Px(x.Min + b * binWidth), x1 = frame.Px(x.Min + (b + 1) * binWidth);
            svg.Rect(x0 + 0.3, frame.Py(counts[b]), x1 - x0 - 0.6, frame.Py(0) - frame.Py(counts[b]), color,
                title: $"[{x.Min + b * binWidth:G3}, {x.Min + (b + 1) * binWidth:G3}): {counts[b]}");
        }
        svg.EndGroup();
        if (v.Length > 0)
        {
            svg.Line(frame.Px(mean), frame.Top, frame.Px(mean), frame.Top + frame.PlotHeight, Palette.Axis, 1.2, "5,3");
            svg.Line(frame.Px(median), frame.Top, frame.Px(median), frame.Top + frame.PlotHeight, Palette.Axis, 1.2, Palette.Dotted);
        }
        return svg.ToString();
    }
}
