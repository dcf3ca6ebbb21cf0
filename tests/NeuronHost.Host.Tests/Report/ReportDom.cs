using System.Globalization;
using System.Text.RegularExpressions;

namespace NeuronHost.Host.Tests.Report;

/// <summary>The plots of a report as Chromium's DOM holds them (inline SVG with data-role
/// attributes), and the checks every report must pass: each plot has data, each accuracy plot its
/// majority, chance and random-k lines, each intervention curve random-k and the unedited level,
/// tick labels that do not touch, and no raw NaN.</summary>
public sealed partial class ReportDom
{
    public sealed record Group(string Role, string Name, string? Baseline, int Points);
    public sealed record Plot(string Kind, string Title, List<Group> Groups, List<(double X, string Label)> XTicks, List<string> Legend, string Svg);

    public List<Plot> Plots { get; } = [];
    public string Html { get; }

    public ReportDom(string dom)
    {
        Html = dom;
        foreach (Match m in SvgRegex().Matches(dom))
        {
            string svg = m.Value;
            string kind = Attr(m.Groups["attrs"].Value, "data-kind") ?? "";
            string title = Attr(m.Groups["attrs"].Value, "aria-label") ?? "";
            var groups = GroupRegex().Matches(svg).Select(g => new Group(Attr(g.Value, "data-role")!, Attr(g.Value, "data-name") ?? "",
                Attr(g.Value, "data-baseline"), int.TryParse(Attr(g.Value, "data-points"), out int n) ? n : 0)).ToList();
            var ticks = XTickRegex().Matches(svg).Select(t => (double.Parse(t.Groups["x"].Value, CultureInfo.InvariantCulture), Decode(t.Groups["text"].Value))).ToList();
            var legend = LegendRegex().Match(svg) is { Success: true } lg
                ? TextRegex().Matches(lg.Value).Select(t => Decode(t.Groups["text"].Value)).ToList() : [];
            Plots.Add(new Plot(kind, Decode(title), groups, ticks, legend, svg));
        }
    }

    /// <summary>DejaVu Sans (the report's first font) advances digits by 1303/2048 em; narrower
    /// glyphs (".", "-") make real labels shorter, so this over-estimates.</summary>
    public const double DigitEm = 1303.0 / 2048;

    public static double LabelWidth(string label, double fontSize = 11) => label.Length * fontSize * DigitEm;

    public void AssertEveryPlotIsSound()
    {
        Assert.NotEmpty(Plots);
        foreach (var p in Plots)
        {
            Assert.True(p.Groups.Any(g => g.Role is "series" or "baseline" && g.Points > 0), $"plot '{p.Title}' draws no data");
            Assert.DoesNotContain("NaN", p.Svg);
            Assert.DoesNotContain(p.Legend, l => l.Contains('_'));           // snake_case keys are not legend text
            for (int i = 1; i < p.XTicks.Count; i++)
            {
                double gap = p.XTicks[i].X - p.XTicks[i - 1].X;
                double need = (LabelWidth(p.XTicks[i].Label) + LabelWidth(p.XTicks[i - 1].Label)) / 2;
                Assert.True(gap >= need, $"plot '{p.Title}': tick labels '{p.XTicks[i - 1].Label}' and '{p.XTicks[i].Label}' are {gap:F1} px apart, need {need:F1}");
            }
        }
    }

    /// <summary>Keeps a report and its screenshot for a person to look at (NEURONHOST_KEEP_REPORT=dir).</summary>
    public static void Keep(string reportHtml, string name)
    {
        if (Environment.GetEnvironmentVariable("NEURONHOST_KEEP_REPORT") is not { Length: > 0 } keep) return;
        Directory.CreateDirectory(keep);
        File.Copy(reportHtml, Path.Combine(keep, name + ".html"), true);
        HeadlessChromium.Screenshot(reportHtml, Path.Combine(keep, name + ".png"), 1280, 9000);
    }

    public static bool HasBaseline(Plot p, string baseline) => p.Groups.Any(g => g.Role == "baseline" && g.Baseline == baseline && g.Points > 0);

    private static string? Attr(string tag, string name) =>
        Regex.Match(tag, $"\\b{Regex.Escape(name)}=\"(?<v>[^\"]*)\"") is { Success: true } m ? m.Groups["v"].Value : null;

    private static string Decode(string s) => System.Net.WebUtility.HtmlDecode(s);

    [GeneratedRegex("<svg(?<attrs>[^>]*data-role=\"plot\"[^>]*)>.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgRegex();

    [GeneratedRegex("<g [^>]*data-role=\"(series|baseline)\"[^>]*>")]
    private static partial Regex GroupRegex();

    [GeneratedRegex("<text x=\"(?<x>[-0-9.]+)\"[^>]*class=\"xtick\"[^>]*>(?<text>[^<]*)</text>")]
    private static partial Regex XTickRegex();

    [GeneratedRegex("<g [^>]*data-role=\"legend\"[^>]*>.*?</g>", RegexOptions.Singleline)]
    private static partial Regex LegendRegex();

    [GeneratedRegex("<text[^>]*>(?<text>[^<]*)</text>")]
    private static partial Regex TextRegex();
}

public sealed partial class ReportDom
{
    /// <summary>For a real run's results: one accuracy overview per probe and one small multiple
    /// per ranking × probe, each with the majority-class, uniform-chance and random-k lines (and
    /// the control task in the small multiples when the run had one); every intervention curve
    /// with random-k (where the table has random rows) and the unedited level.</summary>
    public static void AssertAccuracyAndInterventionBaselines(ReportDom dom, NeuronHost.Core.Reports.RunResults r)
    {
        var probes = r.Accuracy.Select(a => a.Probe).Distinct().ToList();
        var overview = dom.Plots.Where(p => p.Title.EndsWith(": top-k neurons of each ranking")).ToList();
        Assert.Equal(probes.Count, overview.Count);
        var multiples = dom.Plots.Where(p => p.Title.Contains(" × ")).ToList();
        Assert.Equal(r.Accuracy.Where(a => a.Selection == "top").Select(a => (a.Ranking, a.Probe)).Distinct().Count(), multiples.Count);
        foreach (var p in overview.Concat(multiples))
            foreach (var b in new[] { "majority", "chance", "random" })
                Assert.True(HasBaseline(p, b), $"'{p.Title}' has no {b} line");
        if (r.Accuracy.Any(a => a.ControlAccuracy is not null))
            Assert.All(multiples, p => Assert.True(HasBaseline(p, "control"), $"'{p.Title}' has no control-task line"));
        foreach (var iv in r.Interventions.Where(i => i.Tables.Any(t => t.ColumnIndex("k") >= 0 && t.ColumnIndex("selection") >= 0)))
        {
            var curves = dom.Plots.Where(p => p.Title.StartsWith(iv.Method + ":") && p.Kind == "line").ToList();
            Assert.NotEmpty(curves);
            foreach (var p in curves)
            {
                Assert.True(HasBaseline(p, "random"), $"'{p.Title}' has no random-k line");
                Assert.True(p.Groups.Any(g => g.Role == "baseline" && g.Baseline is "no-change" or "clean" && g.Points > 0), $"'{p.Title}' has no unedited level");
                Assert.DoesNotContain("value", p.Title);           // value and delta are the same curve shifted: only delta is drawn
            }
        }
    }
}
