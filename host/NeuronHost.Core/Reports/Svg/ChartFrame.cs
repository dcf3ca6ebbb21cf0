namespace NeuronHost.Core.Reports.Svg;

/// <summary>A legend line: a line sample (with dash and marker) or a filled box.</summary>
public sealed record LegendEntry(string Label, string Color, string? Dash = null, int Marker = -1, bool Box = false);

/// <summary>The part every chart shares: title, plot area, grid, axes with nice ticks, axis
/// labels (with units), and a legend to the right of the plot area so it never hides data.</summary>
public sealed class ChartFrame
{
    private const double FontSize = 11;
    private readonly string title, xLabel, yLabel, kind;
    private readonly double width, height;

    public ChartFrame(string title, string xLabel, string yLabel, double width = 520, double height = 320, string kind = "plot")
    {
        this.title = title; this.xLabel = xLabel; this.yLabel = yLabel;
        this.width = width; this.height = height; this.kind = kind;
    }

    public double Left { get; private set; }
    public double Top { get; private set; }
    public double PlotWidth { get; private set; }
    public double PlotHeight { get; private set; }
    public NiceScale? XScale { get; private set; }
    public NiceScale YScale { get; private set; } = new(0, 1);
    private IReadOnlyList<string>? categories;

    /// <summary>A logarithmic x axis (k grids such as 1, 5, 10, 30, 100): its data range.</summary>
    private (double Lo, double Hi)? logX;

    public double Px(double x) => logX is { } l
        ? Left + (Math.Log10(x) - Math.Log10(l.Lo)) / Math.Max(1e-12, Math.Log10(l.Hi) - Math.Log10(l.Lo)) * PlotWidth
        : XScale is null ? Left : Left + (x - XScale.Min) / (XScale.Max - XScale.Min) * PlotWidth;
    public double Py(double y) => Top + PlotHeight - (y - YScale.Min) / (YScale.Max - YScale.Min) * PlotHeight;
    public double CategoryWidth => categories is null ? 0 : PlotWidth / Math.Max(1, categories.Count);
    public double CategoryCenter(int i) => Left + (i + 0.5) * CategoryWidth;

    /// <summary>Starts a chart with a numeric x axis.</summary>
    public SvgBuilder Begin(NiceScale x, NiceScale y, IReadOnlyList<LegendEntry> legend)
    {
        XScale = x;
        return Draw(y, legend);
    }

    /// <summary>Starts a chart with a logarithmic x axis over [lo, hi] (both &gt; 0), ticks at
    /// 1, 2, 5 × 10ⁿ and at both ends.</summary>
    public SvgBuilder BeginLog(double lo, double hi, NiceScale y, IReadOnlyList<LegendEntry> legend)
    {
        logX = (lo, Math.Max(hi, lo * 1.0001));
        XScale = new NiceScale(lo, hi);
        return Draw(y, legend);
    }

    /// <summary>1, 2, 5 × 10ⁿ inside [lo, hi], plus lo and hi themselves.</summary>
    public static List<double> LogTicks(double lo, double hi)
    {
        var ticks = new SortedSet<double> { lo, hi };
        for (double decade = Math.Pow(10, Math.Floor(Math.Log10(lo))); decade <= hi; decade *= 10)
            foreach (double m in new[] { 1.0, 2, 5 })
                if (m * decade >= lo && m * decade <= hi) ticks.Add(m * decade);
        return ticks.ToList();
    }

    /// <summary>Starts a chart whose x axis is a list of categories (bar charts).</summary>
    public SvgBuilder BeginCategorical(IReadOnlyList<string> xCategories, NiceScale y, IReadOnlyList<LegendEntry> legend)
    {
        categories = xCategories;
        return Draw(y, legend);
    }

    private SvgBuilder Draw(NiceScale y, IReadOnlyList<LegendEntry> legend)
    {
        YScale = y;
        double legendWidth = legend.Count == 0 ? 0 : legend.Max(e => SvgBuilder.TextWidth(e.Label, 10.5)) + 44;
        double yTickWidth = y.Ticks.Max(t => SvgBuilder.TextWidth(y.Format(t), FontSize));
        Left = 30 + yTickWidth + 8;
        Top = 30;
        PlotWidth = width - Left - 14 - legendWidth;
        PlotHeight = height - Top - 46;
        var svg = new SvgBuilder(width, height, title, kind);
        svg.Text(Left + PlotWidth / 2, 18, title, 12.5, "middle", Palette.Text, "bold", cssClass: "title");

        // Grid and y ticks.
        foreach (var t in y.Ticks)
        {
            double py = Py(t);
            svg.Line(Left, py, Left + PlotWidth, py, Palette.Grid);
            svg.Line(Left - 4, py, Left, py, Palette.Axis);
            svg.Text(Left - 7, py + 3.8, y.Format(t), FontSize, "end", Palette.Text);
        }
        // x ticks: numbers or category names.
        if (XScale is not null)
        {
            // Every tick gets a grid line; labels are thinned so neighbours never touch
            // ("100125150175200" on a narrow plot).
            var ticks = logX is { } l ? LogTicks(l.Lo, l.Hi) : XScale.Ticks.ToList();
            Func<double, string> format = logX is null ? XScale.Format : t => t.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
            // Labels left to right, each only where it keeps clear of the last one drawn (and of
            // the last tick, which is always labelled).
            double lastRight = double.NegativeInfinity;
            double endLeft = Px(ticks[^1]) - SvgBuilder.TextWidth(format(ticks[^1]), FontSize) / 2;
            for (int i = 0; i < ticks.Count; i++)
            {
                double px = Px(ticks[i]);
                svg.Line(px, Top, px, Top + PlotHeight, Palette.Grid);
                svg.Line(px, Top + PlotHeight, px, Top + PlotHeight + 4, Palette.Axis);
                string label = format(ticks[i]);
                double half = SvgBuilder.TextWidth(label, FontSize) / 2;
                bool last = i == ticks.Count - 1;
                if (px - half < lastRight + 6 || (!last && px + half > endLeft - 6)) continue;
                svg.Text(px, Top + PlotHeight + 16, label, FontSize, "middle", Palette.Text, cssClass: "xtick");
                lastRight = px + half;
            }
        }
        else if (categories is not null)
        {
            // Thin out labels when they would collide.
            double maxLabel = categories.Count == 0 ? 0 : categories.Max(c => SvgBuilder.TextWidth(c, FontSize));
            int every = Math.Max(1, (int)Math.Ceiling((maxLabel + 6) / Math.Max(1, CategoryWidth)));
            for (int i = 0; i < categories.Count; i += every)
                svg.Text(CategoryCenter(i), Top + PlotHeight + 16, categories[i], FontSize, "middle", Palette.Text, cssClass: "xtick");
        }
        // Axes (left and bottom, like a journal figure).
        svg.Line(Left, Top, Left, Top + PlotHeight, Palette.Axis);
        svg.Line(Left, Top + PlotHeight, Left + PlotWidth, Top + PlotHeight, Palette.Axis);
        svg.Text(Left + PlotWidth / 2, height - 10, xLabel, FontSize + 0.5, "middle", Palette.Text, cssClass: "xlabel");
        svg.Text(14, Top + PlotHeight / 2, yLabel, FontSize + 0.5, "middle", Palette.Text, rotate: -90, cssClass: "ylabel");

        // Legend to the right of the plot area.
        double lx = Left + PlotWidth + 16, ly = Top + 6;
        svg.BeginGroup("legend", title);
        foreach (var e in legend)
        {
            if (e.Box) svg.Rect(lx, ly - 5, 14, 10, e.Color);
            else
            {
                svg.Line(lx, ly, lx + 22, ly, e.Color, 1.8, e.Dash);
                if (e.Marker >= 0) svg.Marker(lx + 11, ly, e.Marker, e.Color, 2.8);
            }
            svg.Text(lx + 28, ly + 3.6, e.Label, 10.5, "start", Palette.Text);
            ly += 16;
        }
        svg.EndGroup();
        return svg;
    }
}
