using NeuronHost.Cli.Tui.Models;
using NeuronHost.Core.Config;
using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests.Tui;

/// <summary>The Setup view's rules without a terminal: what refuses Run, and that the choices
/// make the config an analysis.yaml describes (saved and loaded back unchanged).</summary>
public sealed class SetupChoicesTests
{
    private static readonly IPluginDirectory Plugins = new PluginDirectory(
    [
        new PluginDescriptor("probeless", PluginKind.Ranking, "class-mean differences", []),
        new PluginDescriptor("random", PluginKind.Ranking, "baseline", []),
        new PluginDescriptor("linear-probe", PluginKind.Probe, "probe", []),
        new PluginDescriptor("ablation", PluginKind.Intervention, "ablate", []),
        new PluginDescriptor("neg", PluginKind.Intervention, "gradients", []),
    ]);

    private static SetupChoices Ready()
    {
        var c = new SetupChoices(Plugins)
        {
            Model = new AssetChoice("gpt2-mini-brown", "Hugging Face", SharedAssets.Model("gpt2-mini-brown")),
            Corpus = new AssetChoice("ud-english-ewt", "CoNLL-U", SharedAssets.Corpus("ud-english-ewt"), "conllu"),
        };
        c.Toggle(PluginKind.Ranking, "probeless");
        c.Toggle(PluginKind.Probe, "linear-probe");
        return c;
    }

    [SharedFact]
    public void ClusterAddressIsCheckedAsTypedAndGoesIntoTheConfig()
    {
        var c = Ready();
        Assert.Empty(c.Problems());
        Assert.Null(c.ToConfig("/tmp").Cluster);   // empty field: this machine
        c.Cluster = "redis://bad host:6379";
        var problem = Assert.Single(c.Problems());
        Assert.Equal("cluster: 'redis://bad host:6379' is not a Redis address: give HOST:PORT or redis://HOST:PORT", problem.ToString());
        c.Cluster = "10.0.0.1:99999";
        Assert.Contains("the port must be 1–65535", Assert.Single(c.Problems()).Message);
        c.Cluster = " 10.0.0.1:6390 ";
        Assert.Empty(c.Problems());
        var config = c.ToConfig("/tmp");
        Assert.Equal("10.0.0.1:6390", config.Cluster);
        var loaded = new SetupChoices(Plugins);
        loaded.Load(AnalysisYaml.Parse(AnalysisYaml.Save(config), "/tmp/analysis.yaml"));
        Assert.Equal("10.0.0.1:6390", loaded.Cluster);
    }

    [SharedFact]
    public void ShardBatchesIsCheckedAsTypedAndRoundTripsThroughTheYaml()
    {
        var c = Ready();
        Assert.Null(c.ToConfig("/tmp").ShardBatches);   // empty field: run --cluster's default
        c.ShardBatches = "-1";
        Assert.Equal("batches per shard: '-1' is not a positive whole number", Assert.Single(c.Problems()).ToString());
        c.ShardBatches = " 3 ";
        Assert.Empty(c.Problems());
        var loaded = new SetupChoices(Plugins);
        loaded.Load(AnalysisYaml.Parse(AnalysisYaml.Save(c.ToConfig("/tmp")), "/tmp/analysis.yaml"));
        Assert.Equal("3", loaded.ShardBatches);
        Assert.Equal(3, loaded.ToConfig("/tmp").ShardBatches);
    }

    /// <summary>Typing "/" into the output field (the first key of "/tmp/out") closed the terminal UI with an unexpected error.</summary>
    [SharedFact]
    public void AnOutputAtTheFileSystemRootIsAProblemNotACrash()
    {
        var c = Ready();
        c.Output = "/";
        Assert.Contains("'/' is the root of a file system", Assert.Single(c.Problems()).Message);
        c.Output = "/tmp/nh-out-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Empty(c.Problems());
    }

    /// <summary>Every text field re-checks the setup on each key: no partly typed value may throw
    /// (the output field's "/" once closed the application).</summary>
    [SharedFact]
    public void NoPartlyTypedFieldThrows()
    {
        string[] values = ["", " ", "/", "//", "\\", ".", "..", "~", "0", "-1", "1e9", "99999999999999999999", "a b", "\0", ":", "redis://", "[::1]:1", "1,,5", ",", "all", "/dev/null", "/proc/self/mem"];
        Action<SetupChoices, string>[] fields = [(c, v) => c.Output = v, (c, v) => c.KGrid = v, (c, v) => c.Sentences = v,
            (c, v) => c.MinClassCount = v, (c, v) => c.Cluster = v, (c, v) => c.ShardBatches = v];
        foreach (var set in fields)
            foreach (var v in values)
            {
                var c = Ready();
                set(c, v);
                var problems = c.Problems();   // must not throw
                Assert.All(problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
            }
    }

    [SharedFact]
    public void KeepRowsHereIsClusterRowsCoordinatorAndRoundTripsThroughTheYaml()
    {
        var c = Ready();
        Assert.Null(c.ToConfig("/tmp").ClusterRows);   // unticked: the default, rows stay on the silos
        c.KeepRowsHere = true;
        var yaml = AnalysisYaml.Save(c.ToConfig("/tmp"));
        Assert.Contains("cluster-rows: coordinator", yaml);
        var loaded = new SetupChoices(Plugins);
        loaded.Load(AnalysisYaml.Parse(yaml, "/tmp/analysis.yaml"));
        Assert.True(loaded.KeepRowsHere);
        loaded.KeepRowsHere = false;
        Assert.Null(loaded.ToConfig("/tmp").ClusterRows);
        // a file that says silos keeps saying it
        var silos = new SetupChoices(Plugins);
        silos.Load(AnalysisYaml.Parse(yaml.Replace("cluster-rows: coordinator", "cluster-rows: silos"), "/tmp/analysis.yaml"));
        Assert.False(silos.KeepRowsHere);
        Assert.Equal("silos", silos.ToConfig("/tmp").ClusterRows);
    }

    /// <summary>An analysis.yaml opened in the Setup view and saved again keeps every setting,
    /// those without a pane too (random draws, oracle fractions, lm-input, plugin timeout,
    /// cluster-rows were once dropped: the next run used the defaults and the file lost them). Every
    /// setting of the config is set to a non-default value here — a property added later that is
    /// left out of the test fails the first assertion.</summary>
    [Fact]
    public void A_loaded_analysis_saved_from_the_setup_keeps_every_setting()
    {
        var original = new AnalysisConfig
        {
            ModelDir = "/tmp/nh-models/gpt2-x",
            Corpus = new CorpusConfig { Path = "/tmp/nh-corpora/ewt", Format = "conllu", MaxSentences = 200, Split = [0.7, 0.2, 0.1] },
            Task = new TaskConfig { Name = "xpos", MinClassCount = 3, Control = false },
            Layers = [1, 2],
            Hook = "mlp.hook_pre",
            HookPoints = ["blocks.0.hook_resid_post"],
            Aggregation = "mean",
            LmInput = "words",
            StoreDir = "/tmp/nh-store-x",
            Rankings = [new PluginUse { Plugin = "probeless", Parameters = { ["mode"] = "per-tag" } }],
            Probes = [new PluginUse { Plugin = "linear-probe" }],
            Interventions = [new PluginUse { Plugin = "ablation" }],
            Prompts = "agreement",
            KGrid = [1, 7],
            MinimalSetMargin = 0.02,
            RandomDraws = 12,
            OracleFractions = [0.5, 0.75],
            TopContexts = 3,
            OutputDir = "/tmp/nh-out-x",
            Seed = 7,
            PluginTimeoutSeconds = 90,
            Backend = "cpu",
            Cluster = "10.0.0.1:6390",
            ShardBatches = 3,
            ClusterRows = AnalysisConfig.RowsToCoordinator,
        };
        var defaults = new AnalysisConfig();
        foreach (var p in typeof(AnalysisConfig).GetProperties().Where(p => p.CanWrite && p.Name != nameof(AnalysisConfig.Source)))
            Assert.True(Json(p.GetValue(original)) != Json(p.GetValue(defaults)), $"{p.Name} is left at its default: the test cannot see it dropped");
        string saved = AnalysisYaml.Save(original);
        var reparsed = AnalysisYaml.Parse(saved, "/tmp/analysis.yaml");
        foreach (var p in typeof(AnalysisConfig).GetProperties().Where(p => p.CanWrite && p.Name != nameof(AnalysisConfig.Source)))
            Assert.True(Json(p.GetValue(original)) == Json(p.GetValue(reparsed)), $"{p.Name} does not survive the YAML: {Json(p.GetValue(original))} → {Json(p.GetValue(reparsed))}");

        var choices = new SetupChoices(Plugins);
        choices.Load(AnalysisYaml.Parse(saved, "/tmp/analysis.yaml"));
        Assert.Equal(saved, AnalysisYaml.Save(choices.ToConfig("/tmp")));
    }

    private static string Json(object? value) => System.Text.Json.JsonSerializer.Serialize(value);

    [Fact]
    public void NothingChosenNamesModelAndCorpus()
    {
        var problems = new SetupChoices(Plugins).Problems();
        Assert.Equal(["model", "corpus"], problems.Select(p => p.Pane));
    }

    [SharedFact]
    public void AblationWithoutARankingIsRefusedWithTheReason()
    {
        var c = Ready();
        c.Toggle(PluginKind.Intervention, "ablation");
        Assert.Empty(c.Problems());
        c.Toggle(PluginKind.Ranking, "probeless");          // untick the only ranking
        var problems = c.Problems();
        Assert.Contains(problems, p => p.Pane == "interventions" && p.Message.StartsWith("ablation needs a ranking", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Pane == "probes");
    }

    [SharedFact]
    public void BadNumbersAreRefusedAsTheyAreTyped()
    {
        var c = Ready();
        c.KGrid = "1, 5, x";
        c.Sentences = "-3";
        c.MinClassCount = "0";
        Assert.Equal(["k grid", "sentences", "min class"], c.Problems().Select(p => p.Pane));
        c.KGrid = "50, 1,10";
        c.Sentences = "all";
        c.MinClassCount = "5";
        Assert.Empty(c.Problems());
        var config = c.ToConfig("/tmp");
        Assert.Equal([1, 10, 50], config.KGrid);
        Assert.Null(config.Corpus.MaxSentences);
        Assert.Equal(5, config.Task.MinClassCount);
    }

    [SharedFact]
    public void NoLayerIsRefused()
    {
        var c = Ready();
        c.ToggleLayer(1);
        Assert.Equal(["layers"], c.Problems().Select(p => p.Pane));
    }

    [SharedFact]
    public void PromptInterventionsGetTheBuiltInPromptSet()
    {
        var c = Ready();
        c.Toggle(PluginKind.Intervention, "neg");
        Assert.Equal("agreement", c.ToConfig("/tmp").Prompts);
    }

    [SharedFact]
    public void SavedYamlLoadsBackToTheSameChoices()
    {
        var c = Ready();
        c.Toggle(PluginKind.Ranking, "random");
        c.Toggle(PluginKind.Intervention, "ablation");
        c.Uses(PluginKind.Intervention)[0].Parameters["ks"] = "10,50";
        c.ToggleLayer(0);
        c.Task = "xpos";
        c.Hook = "hook_resid_post";
        c.Sentences = "150";
        string yaml = AnalysisYaml.Save(c.ToConfig("/tmp/work"));

        var loaded = new SetupChoices(Plugins);
        loaded.Load(AnalysisYaml.Parse(yaml, "/tmp/work/analysis.yaml"));
        Assert.Equal(c.Model!.Path, loaded.Model!.Path);
        Assert.Equal(c.Corpus!.Path, loaded.Corpus!.Path);
        Assert.Equal([0, 1], loaded.Layers);
        Assert.Equal(["probeless", "random"], loaded.Rankings.Select(u => u.Plugin));
        Assert.Equal("10,50", loaded.Interventions[0].Parameters["ks"]);
        Assert.Equal(yaml, AnalysisYaml.Save(loaded.ToConfig("/tmp/work")));
        Assert.Equal("/tmp/work/neuronhost-run", loaded.ToConfig("/tmp/work").OutputDir);
    }
}
