using NeuronHost.Core.Reports;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests.Report;

/// <summary>The report of a real run — docs/examples/gpt2-mini-interventions.yaml made smaller
/// (300 EWT sentences, fewer k and items) on gpt2-mini-brown — loaded in Chromium: the story
/// answers both questions, every plot has data, accuracy plots their majority / chance /
/// random-k / control lines, intervention curves random-k and the unedited level.</summary>
public sealed class RealRunReportTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-realreport-");
    public void Dispose() => temp.Delete(true);

    [SharedFact]
    public void Example_run_report_tells_the_story_and_every_plot_has_data_and_baselines()
    {
        string P(string name) => Path.Combine(temp.FullName, name);
        File.WriteAllText(P("analysis.yaml"), $"""
            model: {SharedAssets.Model("gpt2-mini-brown")}
            corpus:
              path: {SharedAssets.Corpus("ud-english-ewt")}
              format: conllu
              max_sentences: 300
            task: {"{"} name: Number, control: true {"}"}
            layers: [1, 2]
            hook: mlp.hook_post
            store: {P("store")}
            rankings:
              - plugin: linear
                name: linear-pitfalls
                parameters: {"{"} ordering: pitfalls, max_iterations: 50 {"}"}
              - probeless
            probes:
              - plugin: linear-probe
                parameters: {"{"} max_iterations: 50 {"}"}
            k_grid: [5, 20, 80]
            prompts: agreement
            interventions:
              - plugin: ablation
                parameters: {"{"} ks: "10,50", max_sentences: 20 {"}"}
              - plugin: translation
                parameters: {"{"} ks: "10,50", max_items: 40 {"}"}
              - plugin: neg
                parameters: {"{"} max_prompts: 1, neurons_per_prompt: 16 {"}"}
            output: {P("out")}
            seed: 1
            """);
        var run = InProcessCli.RunWithBuiltInPlugins("run", P("analysis.yaml"));
        InProcessCli.Ok(run);
        string report = Path.Combine(P("out"), ReportFolder.ReportFile);
        var results = ResultsJson.Load(Path.Combine(P("out"), ReportFolder.ResultsFile));

        if (HeadlessChromium.Executable is null) { Assert.Fail("chromium is missing: CI must apt-get install chromium"); return; }
        var dom = new ReportDom(HeadlessChromium.DumpDom(report));
        dom.AssertEveryPlotIsSound();
        ReportDom.AssertAccuracyAndInterventionBaselines(dom, results);
        Assert.Contains($"Which neurons encode {results.Identity.Task}?", dom.Html);
        Assert.Contains("Does the model use them?", dom.Html);
        Assert.Contains("Ablating (setting to zero or their mean) the top 50 neurons of probeless changes the mean LM loss (nats/token) by", dom.Html);
        Assert.Contains("Translating toward the other attribute value the top 50 neurons of probeless changes the log-odds of the other verb form", dom.Html);
        Assert.Contains("the measured neuron gradient agrees with NeurGrad", dom.Html);
        ReportDom.Keep(report, "example-report");
    }
}
