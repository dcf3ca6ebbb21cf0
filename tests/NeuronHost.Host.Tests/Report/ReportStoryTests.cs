using System.Globalization;
using NeuronHost.Core.Reports;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests.Report;

/// <summary>report.html opens with sentences answering "which neurons encode it?" and "does the
/// model use them?", and every plot, as Chromium loads it, has data and its baselines.</summary>
public sealed class ReportStoryTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-story-");
    public void Dispose() => temp.Delete(true);

    private static ReportDom Dom(string html)
    {
        if (HeadlessChromium.Executable is null) Assert.Fail("chromium is missing: CI must apt-get install chromium");
        return new ReportDom(HeadlessChromium.DumpDom(html));
    }

    [Fact]
    public void Sample_report_plots_carry_data_and_baselines_in_chromium()
    {
        string outDir = Path.Combine(temp.FullName, "run");
        ReportFolder.Write(SampleResults.Create(), outDir);
        string report = Path.Combine(outDir, ReportFolder.ReportFile);
        var dom = Dom(report);
        dom.AssertEveryPlotIsSound();
        var accuracy = dom.Plots.Where(p => p.Title.Contains("top-k neurons of each ranking") || p.Title.Contains(" × ")).ToList();
        Assert.Equal(2 + 6, accuracy.Count);
        Assert.All(accuracy, p => Assert.True(ReportDom.HasBaseline(p, "majority") && ReportDom.HasBaseline(p, "chance") && ReportDom.HasBaseline(p, "random"), p.Title));
        Assert.All(accuracy.Where(p => p.Title.Contains(" × ")), p => Assert.True(ReportDom.HasBaseline(p, "control"), p.Title));
        var ablation = dom.Plots.Where(p => p.Title.StartsWith("ablation:")).ToList();
        Assert.NotEmpty(ablation);
        Assert.All(ablation, p => Assert.True(ReportDom.HasBaseline(p, "random"), p.Title));
        // The story comes before the first figure.
        Assert.True(dom.Html.IndexOf("Which neurons encode UPOS?") is > 0 and var i && i < dom.Html.IndexOf("<svg"));
        Assert.Contains("Does the model use them?", dom.Html);
        ReportDom.Keep(report, "sample-report");
    }

    [Fact]
    public void Long_tables_are_whole_and_scroll_and_snake_case_keys_come_with_words()
    {
        var r = SampleResults.Create();
        string html = HtmlReport.Render(r);
        // 300 neurons per ranking: every one is in the report (collapsed), none cut at 20.
        Assert.Contains("probeless: all 300 neurons in ranked order", html);
        Assert.Contains("data-rows=\"300\"", html);
        Assert.Contains("class=\"scroll\"", html);
        // The NEG table (400 rows) is whole too.
        Assert.Contains("data-rows=\"400\"", html);
        Assert.Contains("<code>top50_loss_increase</code>", html);
        Assert.Contains("top50 loss increase", html);
    }

    /// <summary>Accuracy 0.91 on n = 100 words: the 95 % normal-approximation half-width is
    /// 1.96·sqrt(0.91·0.09/100) = 0.0561 (by hand).</summary>
    [Fact]
    public void Story_states_the_oracle_with_its_interval_and_baselines_and_flags_a_below_majority_probe()
    {
        var r = new RunResults
        {
            Identity = new RunIdentity { Model = "m", Task = "upos", Classes = ["A", "B", "C", "D"], TrainTokens = 800, DevTokens = 100, TestTokens = 100, Neurons = 512 },
            Oracle = [new OracleResult { Probe = "linear-probe", Neurons = 512, TestAccuracy = 0.91, ControlAccuracy = 0.85, Selectivity = 0.06, MajorityBaseline = 0.55 }],
        };
        foreach (var (k, acc, random) in new[] { (1, 0.40, 0.30), (100, 0.88, 0.86) })
        {
            r.Accuracy.Add(new AccuracyPoint { Ranking = "probeless", Probe = "linear-probe", Selection = Selection.Top, K = k, TestAccuracy = acc });
            r.Accuracy.Add(new AccuracyPoint { Ranking = "random", Probe = "linear-probe", Selection = Selection.Random, K = k, TestAccuracy = random });
        }
        var story = RunStory.Of(r);
        Assert.Contains(story.Encoding, s => s.StartsWith("A linear-probe reading all 512 neurons predicts upos with 0.910 held-out accuracy (±0.056 at 95 % on 100 held-out words)")
            && s.Contains("most frequent class scores 0.550 and uniform chance over 4 classes 0.250") && s.Contains("selectivity +0.060"));
        // k = 100: 0.88 vs 0.86 on 100 words: noise = 1.96·sqrt(.88·.12/100 + .86·.14/100) = 0.0932.
        Assert.Contains(story.Encoding, s => s.Contains("top 100 neurons of the probeless ranking") && s.Contains("a gap of +0.020 within binomial noise (±0.093): not distinguishable from random neurons"));
        Assert.Contains(story.Encoding, s => s.Contains("top 1 neuron of the probeless ranking") && s.Contains("below the majority class (0.550)"));
        Assert.Contains(story.Caveats, c => c.StartsWith("probeless/linear-probe: k=1 (0.400) below the majority-class baseline 0.550"));
        Assert.Contains(story.Caveats, c => c.StartsWith("linear-probe on all neurons: selectivity +0.060") && c.Contains("is low"));
        Assert.Contains(story.Caveats, c => c.StartsWith("only 100 held-out words: one accuracy carries a 95 % interval of up to ±0.098"));
        Assert.Contains(story.Use, s => s.StartsWith("No intervention was run"));
    }

    /// <summary>Twelve random draws per k: the band and the verdict come from numpy's percentiles
    /// of the same draws.</summary>
    [PythonModuleFact("numpy")]
    public void Random_draws_become_a_numpy_interval_and_the_verdict_follows_it()
    {
        double[] draws = [0.31, 0.35, 0.29, 0.40, 0.33, 0.37, 0.30, 0.36, 0.34, 0.28, 0.39, 0.32];
        var numpy = PythonReference.RunOrThrow($"import numpy as np; d=np.array([{string.Join(",", draws.Select(d => d.ToString(CultureInfo.InvariantCulture)))}]); " +
            "print(d.mean(), d.std(ddof=1), np.percentile(d, 2.5), np.percentile(d, 97.5))").Trim().Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var spread = Spread.Of(draws)!;
        Assert.Equal(numpy[0], spread.Mean, 12);
        Assert.Equal(numpy[1], spread.Sd!.Value, 12);
        Assert.Equal(numpy[2], spread.Low!.Value, 12);
        Assert.Equal(numpy[3], spread.High!.Value, 12);
        Assert.Contains("inside the random draws' range", RunStory.CompareToRandom(numpy[3] - 0.001, spread, 100));
        Assert.Contains("above every random draw's 95 % range", RunStory.CompareToRandom(numpy[3] + 0.001, spread, 100));

        // The same draws as rows of an ablation table: the report shades the band, names the
        // draws and judges top-k against their range.
        var r = SampleResults.Create();
        var table = new TableData { Name = "ablation", Columns = ["ranking", "selection", "k", "metric", "delta"] };
        foreach (int k in new[] { 10, 200 })
        {
            foreach (var d in draws) table.Rows.Add(["linear", Selection.Random, k, "lm_nll", d]);
            table.Rows.Add(["linear", Selection.Top, k, "lm_nll", numpy[3] + 0.01]);
        }
        r.Interventions.Add(new InterventionResult { Method = "ablation", Summary = new() { ["clean_lm_nll"] = 6.0 }, Tables = [table] });
        string html = HtmlReport.Render(r);
        Assert.Contains(">random (mean, 95 % of 12 draws)</text>", html);
        Assert.Contains("larger than random", html);
        Assert.Contains("a larger effect than random neurons: the model uses them more", html);
    }

    [Fact]
    public void Seeded_draws_in_results_json_are_the_random_baseline_not_the_repeated_rows()
    {
        // Ten draws 0.50, 0.51, …, 0.59: mean 0.545; numpy's linear percentiles 2.5 / 97.5 are
        // 0.50 + 0.225·0.01 and 0.50 + 8.775·0.01 (position q·(n−1)).
        var r = new RunResults();
        r.Accuracy.Add(new AccuracyPoint { Ranking = "random", Selection = Selection.Random, Probe = "linear-probe", K = 10, TestAccuracy = 0.9 });
        r.RandomBaselines.Add(new RandomBaselineResult
        {
            Probe = "linear-probe", K = 10, Draws = 10,
            Values = [.. Enumerable.Range(0, 10).Select(d => new RandomDrawResult { Draw = d, Seed = (ulong)(1000 + d), TestAccuracy = 0.50 + d / 100.0 })],
        });
        var spread = Baselines.RandomDraws(r)[("linear-probe", 10)];
        Assert.Equal(10, spread.Draws);
        Assert.Equal(0.545, spread.Mean, 12);
        Assert.Equal(0.50225, spread.Low!.Value, 12);
        Assert.Equal(0.58775, spread.High!.Value, 12);
    }

    [Fact]
    public void Report_command_rerenders_a_run_folder_and_leaves_other_folders_alone()
    {
        string outDir = Path.Combine(temp.FullName, "run");
        ReportFolder.Write(SampleResults.Create(), outDir);
        string report = Path.Combine(outDir, ReportFolder.ReportFile);
        File.WriteAllText(report, "stale");
        var ok = InProcessCli.RunWithBuiltInPlugins("report", outDir);
        InProcessCli.Ok(ok);
        Assert.Contains("What this run shows", File.ReadAllText(report));

        string foreign = Path.Combine(temp.FullName, "thesis");
        Directory.CreateDirectory(foreign);
        File.Copy(Path.Combine(outDir, ReportFolder.ResultsFile), Path.Combine(foreign, ReportFolder.ResultsFile));
        File.WriteAllText(Path.Combine(foreign, "chapter1.tex"), "mine");
        File.WriteAllText(Path.Combine(foreign, ReportFolder.ReportFile), "my own report");
        var refused = InProcessCli.RunWithBuiltInPlugins("report", foreign);
        Assert.Equal(1, refused.Code);
        Assert.Contains("is not a NeuronHost run folder", refused.Err);
        Assert.Equal("my own report", File.ReadAllText(Path.Combine(foreign, ReportFolder.ReportFile)));
    }
}
