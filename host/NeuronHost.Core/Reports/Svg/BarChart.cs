namespace NeuronHost.Core.Reports.Svg;

/// <summary>One group of bars: a value per category.</summary>
public sealed record BarGroup(string Name, IReadOnlyList<double> Values, string Color);

public static class BarChart
{
    /// <summary>Grouped vertical bars: categories along x, one bar per group inside each.</summary>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<BarGroup> groups, double width = 520, double height = 320)
    {
        double max = groups.SelectMany(g => g.Values).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        var y = new NiceScale(0, Math.Max(max, 1e-9), 6, includeZero: true);
        var legend = groups.Count > 1 ? groups.Select(g => new LegendEntry(g.Name, g.Color, Box: true)).ToList() : [];
        var frame = new ChartFrame(title, xLabel, yLabel, width, height, "bar");
        var svg = frame.BeginCategorical(categories, y, legend);
        double slot = frame.CategoryWidth * 0.8, barWidth = slot / Math.Max(1, groups.Count);
        for (int g = 0; g < groups.Count; g++)
        {
            svg.BeginGroup("series", groups[g].Name, points: groups[g].Values.Count(double.IsFinite));
            for (int c = 0; c < categories.Count; c++)
            {
                double x0 = frame.CategoryCenter(c) - slot / 2;
                double v = c < groups[g].Values.Count ? groups[g].Values[c] : 0;
                if (!double.IsFinite(v)) continue;
                double top = frame.Py(Math.Max(v, 0)), bottom = frame.Py(0);
                svg.Rect(x0 + g * barWidth + 0.5, top, barWidth - 1, bottom - top, groups[g].Color,
                    title: $"{groups[g].Name}, {categories[c]}: {v:G4}");
            }
            svg.EndGroup();
        }
        return svg.ToString();
    }
}
