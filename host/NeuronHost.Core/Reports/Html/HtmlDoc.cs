using System.Globalization;
using System.Net;
using System.Text;

namespace NeuronHost.Core.Reports.Html;

/// <summary>Accumulates the report's body: headings, numbered figures with captions, tables.</summary>
public sealed class HtmlDoc
{
    private readonly StringBuilder body = new();
    private int figure;

    public static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    public static string Num(double? v, string format = "F3") =>
        v is not { } d ? "–" : double.IsNaN(d) ? "NaN" : d.ToString(format, CultureInfo.InvariantCulture);

    public HtmlDoc Raw(string html) { body.Append(html); return this; }
    public HtmlDoc H2(string text, string id) { body.Append($"<h2 id=\"{id}\">{E(text)}</h2>\n"); return this; }
    public HtmlDoc H3(string text) { body.Append($"<h3>{E(text)}</h3>\n"); return this; }
    public HtmlDoc P(string text, string cssClass = "") { body.Append($"<p class=\"{cssClass}\">{E(text)}</p>\n"); return this; }

    /// <summary>A numbered figure: the SVG and a caption below, as in a paper.</summary>
    public HtmlDoc Figure(string svg, string caption)
    {
        figure++;
        body.Append($"<figure>{svg}<figcaption><b>Figure {figure}.</b> {E(caption)}</figcaption></figure>\n");
        return this;
    }

    /// <summary>Several figures side by side (small multiples); one caption for the group.</summary>
    public HtmlDoc FigureGrid(IEnumerable<string> svgs, string caption)
    {
        figure++;
        body.Append("<figure class=\"grid\"><div class=\"multiples\">");
        foreach (var s in svgs) body.Append("<div>").Append(s).Append("</div>");
        body.Append($"</div><figcaption><b>Figure {figure}.</b> {E(caption)}</figcaption></figure>\n");
        return this;
    }

    /// <summary>A table; cells are already HTML (use <see cref="E"/> for text).</summary>
    public HtmlDoc Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? caption = null, string cssClass = "")
    {
        body.Append($"<table class=\"{cssClass}\">");
        if (caption is not null) body.Append($"<caption>{E(caption)}</caption>");
        body.Append("<thead><tr>");
        foreach (var h in header) body.Append("<th>").Append(E(h)).Append("</th>");
        body.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            body.Append("<tr>");
            foreach (var c in row) body.Append("<td>").Append(c).Append("</td>");
            body.Append("</tr>");
        }
        body.Append("</tbody></table>\n");
        return this;
    }

    public override string ToString() => body.ToString();
}
