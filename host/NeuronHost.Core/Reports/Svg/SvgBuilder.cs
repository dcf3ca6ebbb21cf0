using System.Globalization;
using System.Text;

namespace NeuronHost.Core.Reports.Svg;

/// <summary>Appends SVG elements to a string; numbers are written invariantly with 2 decimals and
/// text is XML-escaped, so callers never format by hand.</summary>
public sealed class SvgBuilder
{
    private readonly StringBuilder sb = new();

    /// <param name="kind">line, bar, histogram or scatter: written as data-kind so tests (and
    /// readers of the DOM) can tell plots apart; every plot carries data-role="plot".</param>
    public SvgBuilder(double width, double height, string? ariaLabel = null, string kind = "plot")
    {
        Width = width; Height = height;
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" data-role=\"plot\" data-kind=\"{Escape(kind)}\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" role=\"img\"");
        if (ariaLabel is not null) sb.Append($" aria-label=\"{Escape(ariaLabel)}\"");
        sb.Append('>');
        // White background so screenshots and dark viewers show the figure as on paper.
        Rect(0, 0, width, height, "#ffffff");
    }

    public double Width { get; }
    public double Height { get; }

    public static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    public static string Escape(string text) => text
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    public SvgBuilder Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null)
    {
        sb.Append($"<line x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" stroke=\"{stroke}\" stroke-width=\"{N(width)}\"");
        if (dash is not null) sb.Append($" stroke-dasharray=\"{dash}\"");
        sb.Append("/>");
        return this;
    }

    public SvgBuilder Rect(double x, double y, double w, double h, string fill, string? stroke = null, string? title = null)
    {
        sb.Append($"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(Math.Max(0, w))}\" height=\"{N(Math.Max(0, h))}\" fill=\"{fill}\"");
        if (stroke is not null) sb.Append($" stroke=\"{stroke}\" stroke-width=\"0.8\"");
        if (title is null) sb.Append("/>");
        else sb.Append($"><title>{Escape(title)}</title></rect>");
        return this;
    }

    public SvgBuilder Circle(double cx, double cy, double r, string fill, string? stroke = null, double opacity = 1)
    {
        sb.Append($"<circle cx=\"{N(cx)}\" cy=\"{N(cy)}\" r=\"{N(r)}\" fill=\"{fill}\"");
        if (stroke is not null) sb.Append($" stroke=\"{stroke}\" stroke-width=\"1\"");
        if (opacity < 1) sb.Append($" fill-opacity=\"{N(opacity)}\"");
        sb.Append("/>");
        return this;
    }

    public SvgBuilder Polyline(IReadOnlyList<(double X, double Y)> points, string stroke, double width = 1.6, string? dash = null)
    {
        if (points.Count == 0) return this;
        sb.Append("<polyline fill=\"none\" stroke-linejoin=\"round\" points=\"");
        for (int i = 0; i < points.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(N(points[i].X)).Append(',').Append(N(points[i].Y));
        }
        sb.Append($"\" stroke=\"{stroke}\" stroke-width=\"{N(width)}\"");
        if (dash is not null) sb.Append($" stroke-dasharray=\"{dash}\"");
        sb.Append("/>");
        return this;
    }

    /// <summary>Opens a group that names what it draws: data-role "series" (data), "baseline" (what
    /// the data is judged against: majority class, chance, random-k, control task, no change) with
    /// data-baseline naming which, data-points the number of finite points drawn.</summary>
    public SvgBuilder BeginGroup(string role, string name, string? baseline = null, int? points = null)
    {
        sb.Append($"<g data-role=\"{Escape(role)}\" data-name=\"{Escape(name)}\"");
        if (baseline is not null) sb.Append($" data-baseline=\"{Escape(baseline)}\"");
        if (points is not null) sb.Append($" data-points=\"{points}\"");
        sb.Append('>');
        return this;
    }

    public SvgBuilder EndGroup() { sb.Append("</g>"); return this; }

    /// <summary>A filled area between an upper and a lower curve (an interval band).</summary>
    public SvgBuilder Band(IReadOnlyList<(double X, double Y)> upper, IReadOnlyList<(double X, double Y)> lower, string fill, double opacity = 0.18)
    {
        if (upper.Count == 0 || lower.Count == 0) return this;
        sb.Append("<polygon points=\"");
        var all = upper.Concat(lower.Reverse()).ToList();
        for (int i = 0; i < all.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(N(all[i].X)).Append(',').Append(N(all[i].Y));
        }
        sb.Append($"\" fill=\"{fill}\" fill-opacity=\"{N(opacity)}\" stroke=\"none\"/>");
        return this;
    }

    /// <summary>A marker of the given shape index (circle, square, triangle, diamond…).</summary>
    public SvgBuilder Marker(double x, double y, int shape, string color, double size = 3.2)
    {
        switch (shape % 4)
        {
            case 0: Circle(x, y, size, color); break;
            case 1: Rect(x - size, y - size, 2 * size, 2 * size, color); break;
            case 2:
                sb.Append($"<polygon points=\"{N(x)},{N(y - size * 1.2)} {N(x + size * 1.1)},{N(y + size * 0.8)} {N(x - size * 1.1)},{N(y + size * 0.8)}\" fill=\"{color}\"/>");
                break;
            default:
                sb.Append($"<polygon points=\"{N(x)},{N(y - size * 1.3)} {N(x + size * 1.1)},{N(y)} {N(x)},{N(y + size * 1.3)} {N(x - size * 1.1)},{N(y)}\" fill=\"{color}\"/>");
                break;
        }
        return this;
    }

    public SvgBuilder Text(double x, double y, string text, double size = 11, string anchor = "start",
        string fill = "#222", string weight = "normal", double rotate = 0, string? cssClass = null)
    {
        sb.Append($"<text x=\"{N(x)}\" y=\"{N(y)}\" font-size=\"{N(size)}\" text-anchor=\"{anchor}\" fill=\"{fill}\"");
        if (weight != "normal") sb.Append($" font-weight=\"{weight}\"");
        if (rotate != 0) sb.Append($" transform=\"rotate({N(rotate)} {N(x)} {N(y)})\"");
        if (cssClass is not null) sb.Append($" class=\"{cssClass}\"");
        sb.Append('>').Append(Escape(text)).Append("</text>");
        return this;
    }

    /// <summary>Approximate width of text in the report's sans-serif font (for layout only).</summary>
    public static double TextWidth(string text, double size = 11) => text.Length * size * 0.58;

    public override string ToString() => sb.ToString() + "</svg>";
}
