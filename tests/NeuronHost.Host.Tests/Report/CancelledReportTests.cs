using NeuronHost.Core.Reports;

namespace NeuronHost.Host.Tests.Report;

/// <summary>A cancelled run gives report.html a time budget (Ctrl+C must end the run within 2 s):
/// past it a short page says how to render the full report, and results.json and the CSVs are
/// complete either way.</summary>
public sealed class CancelledReportTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-cancelled-report-");
    public void Dispose() => temp.Delete(true);

    [Fact]
    public void A_report_that_misses_its_budget_is_a_short_page_and_the_results_are_complete()
    {
        var results = SampleResults.Create();
        results.Status = RunStatus.Cancelled;
        results.StatusMessage = "Cancelled during 'interventions'.";
        string outDir = Path.Combine(temp.FullName, "run");
        // A zero budget: the rendering cannot have finished when it is checked.
        ReportFolder.Write(results, outDir, TimeSpan.Zero);

        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("Cancelled during &#39;interventions&#39;.", html);
        Assert.Contains($"neuronhost report {outDir}", html);
        Assert.DoesNotContain("<svg", html);
        var back = ResultsJson.Load(Path.Combine(outDir, "results.json"));
        Assert.Equal(ResultsJson.Comparable(results), ResultsJson.Comparable(back));
        Assert.True(File.Exists(Path.Combine(outDir, "accuracy.csv")));

        // The full report renders from that results.json, as the short page says.
        ReportFolder.Rerender(outDir);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(outDir, "report.html")));
    }

    [Fact]
    public void A_report_within_its_budget_is_the_full_report()
    {
        var results = SampleResults.Create();
        string outDir = Path.Combine(temp.FullName, "run");
        ReportFolder.Write(results, outDir, TimeSpan.FromMinutes(5));
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("<svg", html);
        Assert.DoesNotContain("neuronhost report", html);
    }
}
