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

    /// <summary>Tables longer than this scroll inside a box (sticky header) instead of being cut.</summary>
    public const int ScrollRows = 25;

    /// <summary>A table; cells are already HTML (use <see cref="E"/> for text). Every row is
    /// written; a long table scrolls in its box.</summary>
    public HtmlDoc Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? caption = null, string cssClass = "")
    {
        body.Append(TableHtml(header, rows, caption, cssClass));
        return this;
    }

    public static string TableHtml(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? caption = null, string cssClass = "",
        IReadOnlyList<string>? headerTitles = null)
    {
        var list = rows.ToList();
        var sb = new StringBuilder();
        if (list.Count > ScrollRows) sb.Append("<div class=\"scroll\">");
        sb.Append($"<table class=\"{cssClass}\" data-rows=\"{list.Count}\">");
        if (caption is not null) sb.Append($"<caption>{E(caption)}</caption>");
        sb.Append("<thead><tr>");
        for (int i = 0; i < header.Count; i++)
        {
            string? tip = headerTitles is not null && i < headerTitles.Count ? headerTitles[i] : null;
            sb.Append(tip is { Length: > 0 } ? $"<th title=\"{E(tip)}\">" : "<th>").Append(E(header[i])).Append("</th>");
        }
        sb.Append("</tr></thead><tbody>");
        foreach (var row in list)
        {
            sb.Append("<tr>");
            foreach (var c in row) sb.Append("<td>").Append(c).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (list.Count > ScrollRows) sb.Append("</div>");
        sb.Append('\n');
        return sb.ToString();
    }

    /// <summary>A collapsible block (closed by default): long tables a reader opens on demand.</summary>
    public HtmlDoc Details(string summary, string html, bool open = false)
    {
        body.Append($"<details{(open ? " open" : "")}><summary>{E(summary)}</summary>{html}</details>\n");
        return this;
    }

    /// <summary>A bulleted list of sentences (text, escaped).</summary>
    public HtmlDoc List(IEnumerable<string> items, string cssClass = "")
    {
        body.Append($"<ul class=\"{cssClass}\">");
        foreach (var i in items) body.Append("<li>").Append(E(i)).Append("</li>");
        body.Append("</ul>\n");
        return this;
    }

    public override string ToString() => body.ToString();
}
