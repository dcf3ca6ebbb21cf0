using System.Text;
using Spectre.Console;

namespace NeuronHost.Cli.Tui;

/// <summary>A line chart drawn with characters (Spectre has bar charts only): series as marker
/// characters joined by dots, a y axis with labels, k ticks along x, and a legend line.</summary>
public sealed class TextLineChart
{
    public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points, char Marker, string Color);

    public int Width { get; init; } = 56;
    public int Height { get; init; } = 12;
    public double YMin { get; init; } = 0;
    public double YMax { get; init; } = 1;

    /// <summary>Spectre markup lines of the chart.</summary>
    public List<string> Render(IReadOnlyList<Series> series, string yLabel, string xLabel)
    {
        var xs = series.SelectMany(s => s.Points).Select(p => p.X).ToList();
        double xMin = xs.Count == 0 ? 0 : xs.Min(), xMax = xs.Count == 0 ? 1 : xs.Max();
        if (xMax <= xMin) xMax = xMin + 1;
        var cells = new char[Height, Width];
        var colors = new string?[Height, Width];
        for (int r = 0; r < Height; r++) for (int c = 0; c < Width; c++) cells[r, c] = ' ';
        int Col(double x) => (int)Math.Round((x - xMin) / (xMax - xMin) * (Width - 1));
        int Row(double y) => Height - 1 - (int)Math.Round((Math.Clamp(y, YMin, YMax) - YMin) / (YMax - YMin) * (Height - 1));
        foreach (var s in series)
        {
            var pts = s.Points.Where(p => double.IsFinite(p.Y)).OrderBy(p => p.X).ToList();
            for (int i = 0; i + 1 < pts.Count; i++)
            {
                int c0 = Col(pts[i].X), c1 = Col(pts[i + 1].X);
                for (int c = c0 + 1; c < c1; c++)
                {
                    double t = (double)(c - c0) / (c1 - c0);
                    int r = Row(pts[i].Y + t * (pts[i + 1].Y - pts[i].Y));
                    if (cells[r, c] == ' ') { cells[r, c] = '·'; colors[r, c] = s.Color; }
                }
            }
            foreach (var p in pts) { int r = Row(p.Y), c = Col(p.X); cells[r, c] = s.Marker; colors[r, c] = s.Color; }
        }
        var lines = new List<string>();
        for (int r = 0; r < Height; r++)
        {
            double yv = YMax - (YMax - YMin) * r / (Height - 1);
            string label = r % 2 == 0 || r == Height - 1 ? $"{yv,5:0.00}" : "     ";
            var sb = new StringBuilder($"[grey]{label} │[/]");
            for (int c = 0; c < Width; c++)
                sb.Append(colors[r, c] is { } col ? $"[{col}]{Markup.Escape(cells[r, c].ToString())}[/]" : cells[r, c].ToString());
            lines.Add(sb.ToString());
        }
        lines.Add("[grey]      └" + new string('─', Width) + "[/]");
        // x ticks at the data's k values that fit without overlapping.
        var tick = new char[Width + 8];
        Array.Fill(tick, ' ');
        int lastEnd = -2;
        foreach (var x in xs.Distinct().Order())
        {
            string t = x.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
            int c = Col(x);
            if (c <= lastEnd + 1 || c + t.Length > tick.Length) continue;
            t.CopyTo(0, tick, c, t.Length);
            lastEnd = c + t.Length;
        }
        lines.Add("[grey]       " + Markup.Escape(new string(tick).TrimEnd()) + "[/]");
        lines.Add("       " + string.Join("  ", series.Select(s => $"[{s.Color}]{Markup.Escape(s.Marker.ToString())} {Markup.Escape(s.Name)}[/]")) +
            $"   [grey]x: {Markup.Escape(xLabel)}, y: {Markup.Escape(yLabel)}[/]");
        return lines;
    }
}
