using System.Text.RegularExpressions;
using NeuronHost.Core.Reports;

namespace NeuronHost.Host.Tests.Report;

public sealed class ReportRenderingTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-report-");
    public void Dispose() => temp.Delete(true);

    [Fact]
    public void FullRunWritesJsonCsvsAndSelfContainedHtmlWithPlots()
    {
        var results = SampleResults.Create();
        string outDir = Path.Combine(temp.FullName, "run");
        ReportFolder.Write(results, outDir);

        Assert.False(Directory.Exists(outDir + ".partial"));
        foreach (var f in new[] { "results.json", "report.html", "rankings.csv", "accuracy.csv", "oracle.csv", "minimal_sets.csv",
                     "minimal_set_layers.csv", "top_neuron_contexts.csv", "intervention_ablation_lm_loss.csv", "intervention_neg_neg.csv", "timings.csv" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);

        // accuracy.csv: header + 3 rankings × 2 probes × 7 k × 3 selections.
        var accuracy = File.ReadAllLines(Path.Combine(outDir, "accuracy.csv"));
        Assert.Equal("ranking,probe,selection,k,train_accuracy,dev_accuracy,test_accuracy,control_accuracy,selectivity", accuracy[0]);
        Assert.Equal(1 + 3 * 2 * 7 * 3, accuracy.Length);

        // results.json round-trips.
        var back = ResultsJson.Load(Path.Combine(outDir, "results.json"));
        Assert.Equal(ResultsJson.Comparable(results), ResultsJson.Comparable(back));

        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("@import", html);
        var svgs = Regex.Matches(html, "<svg[^>]*>(.*?)</svg>", RegexOptions.Singleline).Select(m => m.Value).ToList();
        // 2 overview + 6 small multiples + 2 layer charts + 2 ablation curves + histogram + scatter.
        Assert.Equal(14, svgs.Count);
        Assert.All(svgs, s => Assert.Matches("<(polyline|rect|circle)", s));
        Assert.All(svgs, s => Assert.Contains("class=\"xlabel\"", s));
        Assert.Contains(">k (neurons, log scale)</text>", html);
        Assert.Contains(">test accuracy</text>", html);
        Assert.Contains(">layer</text>", html);
        Assert.Contains("neurons (count)", html);
        Assert.Contains("NEG linearity", html);
        Assert.Contains("NeurGrad vs empirical NEG", html);
        Assert.Contains(">random-k (1 draw)</text>", html);
        Assert.Contains(">control task</text>", html);
        Assert.Contains("stroke-dasharray=\"1.5,3\"", html); // control dotted
        Assert.Contains("dog &lt;&amp;&gt; ran", html);        // contexts escaped
        Assert.Contains("<mark>the</mark>", html);
    }

    [Fact]
    public void EmptyRunOmitsEverySection()
    {
        var r = new RunResults { Identity = new RunIdentity { Model = "m", Task = "UPOS" } };
        string html = HtmlReport.Render(r);
        Assert.DoesNotContain("<svg", html);
        Assert.DoesNotContain("id=\"accuracy\"", html);
        Assert.DoesNotContain("id=\"interventions\"", html);
        Assert.DoesNotContain("id=\"neurons\"", html);
        Assert.Contains("UPOS in m", html);
        string outDir = Path.Combine(temp.FullName, "empty");
        ReportFolder.Write(r, outDir);
        Assert.Equal([".neuronhost-output", "report.html", "results.json"], Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    [Fact]
    public void CancelledRunSaysSoInTheReport()
    {
        var r = SampleResults.Create();
        r.Status = RunStatus.Cancelled;
        r.StatusMessage = "cancelled during interventions.";
        Assert.Contains("This run is cancelled", HtmlReport.Render(r));
    }

    private sealed class Exploding
    {
        public override string ToString() => throw new InvalidOperationException("boom");
    }

    [Fact]
    public void FailedWriteLeavesNoFolderAndKeepsThePreviousOne()
    {
        string outDir = Path.Combine(temp.FullName, "run");
        ReportFolder.Write(SampleResults.Create(), outDir);
        string before = File.ReadAllText(Path.Combine(outDir, "results.json"));

        var bad = SampleResults.Create();
        bad.Interventions[0].Tables[0].Rows.Add(["linear", new Exploding(), 5, 1.0, 0.5]);
        Assert.Throws<InvalidOperationException>(() => ReportFolder.Write(bad, outDir));
        Assert.False(Directory.Exists(outDir + ".partial"));
        Assert.Equal(before, File.ReadAllText(Path.Combine(outDir, "results.json")));

        string fresh = Path.Combine(temp.FullName, "fresh");
        Assert.Throws<InvalidOperationException>(() => ReportFolder.Write(bad, fresh));
        Assert.False(Directory.Exists(fresh));
        Assert.False(Directory.Exists(fresh + ".partial"));
    }

    [Fact]
    public void ChromiumRendersTheReportToANonTrivialImage()
    {
        if (HeadlessChromium.Executable is null) { Assert.Fail("chromium is missing: CI must apt-get install chromium"); return; }
        string outDir = Path.Combine(temp.FullName, "run");
        ReportFolder.Write(SampleResults.Create(), outDir);
        string png = Path.Combine(temp.FullName, "report.png");
        HeadlessChromium.Screenshot(Path.Combine(outDir, "report.html"), png, 1280, 2000);
        // For a person to look at: NEURONHOST_KEEP_REPORT=dir keeps the report and its screenshot.
        if (Environment.GetEnvironmentVariable("NEURONHOST_KEEP_REPORT") is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            File.Copy(png, Path.Combine(keep, "report.png"), true);
            File.Copy(Path.Combine(outDir, "report.html"), Path.Combine(keep, "report.html"), true);
        }

        Assert.True(new FileInfo(png).Length > 40_000, $"screenshot is only {new FileInfo(png).Length} bytes");
        var image = PngImage.Read(png);
        Assert.Equal(1280, image.Width);
        Assert.True(image.DistinctColors() > 100, $"{image.DistinctColors()} colours");
        double ink = image.NonWhiteFraction();
        Assert.InRange(ink, 0.03, 0.6);
        // The series colours of the palette are on screen: the plots were drawn, not blank boxes.
        Assert.True(image.CountNear(0x00, 0x72, 0xB2) > 300, "no blue (#0072B2) series pixels");
        Assert.True(image.CountNear(0xD5, 0x5E, 0x00) > 300, "no vermillion (#D55E00) series pixels");
    }
}
