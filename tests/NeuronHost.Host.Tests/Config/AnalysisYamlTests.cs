using NeuronHost.Core.Config;

namespace NeuronHost.Host.Tests.Config;

public sealed class AnalysisYamlTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-config-");
    private readonly string yamlPath;

    public AnalysisYamlTests()
    {
        Directory.CreateDirectory(Path.Combine(temp.FullName, "model"));
        File.WriteAllText(Path.Combine(temp.FullName, "model", "config.json"), "{}");
        File.WriteAllText(Path.Combine(temp.FullName, "dev.conllu"), "");
        yamlPath = Path.Combine(temp.FullName, "analysis.yaml");
    }

    public void Dispose() => temp.Delete(true);

    private const string Good = """
        model: model
        corpus:
          path: dev.conllu
          format: conllu
          max_sentences: 200
        task: { name: upos, min_class_count: 5 }
        layers: [1, 3]
        aggregation: last
        rankings:
          - plugin: linear
            parameters:
              l1: 0.01
              ordering: WeightMass
              fractions: [0.2, 0.4]
          - plugin: linear
            name: linear-10
            parameters: { epochs: 10 }
        probes:
          - linear-probe
        k_grid: 1, 5, 10
        output: out
        seed: 7
        """;

    private AnalysisConfig Load(string text)
    {
        File.WriteAllText(yamlPath, text);
        return AnalysisYaml.Load(yamlPath);
    }

    private string ErrorOf(string text)
    {
        var e = Assert.Throws<ConfigException>(() => AnalysisConfigValidator.Validate(Load(text), FakeDirectory.Create()));
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void ReadsEveryKeyAndResolvesPathsAgainstTheFile()
    {
        var c = Load(Good);
        AnalysisConfigValidator.Validate(c, FakeDirectory.Create());
        Assert.Equal(Path.Combine(temp.FullName, "model"), c.ModelDir);
        Assert.Equal(Path.Combine(temp.FullName, "dev.conllu"), c.Corpus.Path);
        Assert.Equal(200, c.Corpus.MaxSentences);
        Assert.Equal(("upos", 5), (c.Task.Name, c.Task.MinClassCount));
        Assert.Equal(["blocks.1.mlp.hook_post", "blocks.3.mlp.hook_post"], c.ResolvedHookPoints());
        Assert.Equal(2, c.Rankings.Count);
        Assert.Equal("0.2,0.4", c.Rankings[0].Parameters["fractions"]);
        Assert.Equal("linear-10", c.Rankings[1].DisplayName);
        Assert.Equal("linear-probe", c.Probes[0].Plugin);
        Assert.Equal([1, 5, 10], c.KGrid);
        Assert.Equal(7, c.Seed);
    }

    [Fact]
    public void SavedYamlReadsBackToTheSameConfig()
    {
        var c = Load(Good);
        string saved = AnalysisYaml.Save(c);
        var back = AnalysisYaml.Parse(saved, yamlPath);
        Assert.Equal(saved, AnalysisYaml.Save(back));
        Assert.Equal(c.Rankings[0].Parameters, back.Rankings[0].Parameters);
        Assert.Equal(c.ModelDir, back.ModelDir);
        Assert.Equal(c.KGrid, back.KGrid);
        Assert.Equal(c.Corpus.MaxSentences, back.Corpus.MaxSentences);
        AnalysisConfigValidator.Validate(back, FakeDirectory.Create());
    }

    [Fact]
    public void ClusterIsReadSavedAndEmptyMeansThisMachine()
    {
        var c = Load(Good + "\ncluster: redis://10.0.0.1:6379\n");
        Assert.Equal("redis://10.0.0.1:6379", c.Cluster);
        string saved = AnalysisYaml.Save(c);
        Assert.Contains("\ncluster: redis://10.0.0.1:6379\n", saved);
        Assert.Equal("redis://10.0.0.1:6379", AnalysisYaml.Parse(saved, yamlPath).Cluster);
        // Left out or empty: this machine, and nothing is written back.
        Assert.Null(Load(Good).Cluster);
        Assert.Null(Load(Good + "\ncluster:\n").Cluster);
        Assert.DoesNotContain("cluster", AnalysisYaml.Save(Load(Good)));
        // Line 1 of Good is model:; the appended key is on the line after its last.
        int line = Good.Split('\n').Length + 1;
        Assert.Equal($"{yamlPath}:{line}: cluster: expected a single value", ErrorOf(Good + "\ncluster: [a, b]\n"));
    }

    [Fact]
    public void ShardBatchesIsReadSavedAndMustBePositive()
    {
        var c = Load(Good + "\nshard-batches: 2\n");
        Assert.Equal(2, c.ShardBatches);
        string saved = AnalysisYaml.Save(c);
        Assert.Contains("\nshard-batches: 2\n", saved);
        Assert.Equal(2, AnalysisYaml.Parse(saved, yamlPath).ShardBatches);
        Assert.Null(Load(Good).ShardBatches);
        Assert.DoesNotContain("shard-batches", AnalysisYaml.Save(Load(Good)));
        int line = Good.Split('\n').Length + 1;
        Assert.Equal($"{yamlPath}:{line}: shard-batches: '0' is not a positive number of batches", ErrorOf(Good + "\nshard-batches: 0\n"));
    }

    [Fact]
    public void ClusterRowsIsReadSavedAndMustNameAPlace()
    {
        var c = Load(Good + "\ncluster-rows: coordinator\n");
        Assert.Equal("coordinator", c.ClusterRows);
        string saved = AnalysisYaml.Save(c);
        Assert.Contains("\ncluster-rows: coordinator\n", saved);
        Assert.Equal("coordinator", AnalysisYaml.Parse(saved, yamlPath).ClusterRows);
        Assert.Equal("silos", Load(Good + "\ncluster-rows: silos\n").ClusterRows);
        Assert.Null(Load(Good).ClusterRows);
        Assert.DoesNotContain("cluster-rows", AnalysisYaml.Save(Load(Good)));
        int line = Good.Split('\n').Length + 1;
        Assert.Equal($"{yamlPath}:{line}: cluster-rows: 'here' is not a place for the rows: write silos or coordinator", ErrorOf(Good + "\ncluster-rows: here\n"));
    }

    [Fact]
    public void PluginTimeoutIsReadSavedAndMustBePositive()
    {
        var c = Load(Good + "\nplugin_timeout: 90.5\n");
        Assert.Equal(90.5, c.PluginTimeoutSeconds);
        var back = AnalysisYaml.Parse(AnalysisYaml.Save(c), yamlPath);
        Assert.Equal(90.5, back.PluginTimeoutSeconds);
        Assert.Null(Load(Good).PluginTimeoutSeconds);
        string msg = ErrorOf(Good + "\nplugin_timeout: -3\n");
        Assert.StartsWith($"{yamlPath}:", msg);
        Assert.Contains("plugin-timeout: '-3' is not a positive number of seconds", msg);
    }

    [Fact]
    public void UnknownPluginNamesKeyLineAndAlternatives()
    {
        string msg = ErrorOf(Good.Replace("  - plugin: linear\n    parameters:", "  - plugin: lineer\n    parameters:"));
        Assert.Equal($"{yamlPath}:10: rankings[0].plugin: unknown ranking plugin 'lineer' (available: linear)", msg);
    }

    [Fact]
    public void PluginOfTheWrongKind()
    {
        string msg = ErrorOf(Good.Replace("  - linear-probe", "  - linear"));
        Assert.Equal($"{yamlPath}:19: probes[0].plugin: 'linear' is a ranking plugin, not a probe plugin", msg);
    }

    [Theory]
    [InlineData("l1: 0.01", "l1: lots", 12, "rankings[0].parameters.l1: plugin 'linear' parameter 'l1': 'lots' is not a number (expected number)")]
    [InlineData("epochs: 10", "epochs: 2.5", 17, "rankings[1].parameters.epochs: plugin 'linear' parameter 'epochs': '2.5' is not an integer (expected integer)")]
    [InlineData("ordering: WeightMass", "ordering: Heaviest", 13, "rankings[0].parameters.ordering: plugin 'linear' parameter 'ordering': 'Heaviest' is not one of weight-mass, mean-abs (expected one of weight-mass|mean-abs)")]
    [InlineData("l1: 0.01", "l2: 0.01", 12, "rankings[0].parameters.l2: plugin 'linear' has no parameter 'l2' (its parameters: l1, epochs, ordering, fractions)")]
    public void WrongParameterNamesTheParameter(string from, string to, int line, string expected)
    {
        Assert.Equal($"{yamlPath}:{line}: {expected}", ErrorOf(Good.Replace(from, to)));
    }

    [Fact]
    public void MissingModelFolder()
    {
        string msg = ErrorOf(Good.Replace("model: model", "model: no-such-model"));
        Assert.Equal($"{yamlPath}:1: model: model folder '{Path.Combine(temp.FullName, "no-such-model")}' does not exist", msg);
    }

    [Fact]
    public void MissingModelKey()
    {
        Assert.Equal($"{yamlPath}: model: missing: the model folder (Hugging Face layout) is required", ErrorOf(Good.Replace("model: model\n", "")));
    }

    [Fact]
    public void UnknownKeysAreRejectedAtTheirLine()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Good.Replace("seed: 7", "sed: 7")));
        Assert.StartsWith($"{yamlPath}:22: sed: unknown key 'sed' (known here: model, corpus,", e.Message);
        e = Assert.Throws<ConfigException>(() => Load(Good.Replace("  format: conllu", "  fromat: conllu")));
        Assert.StartsWith($"{yamlPath}:4: corpus.fromat: unknown key 'fromat'", e.Message);
    }

    [Theory]
    [InlineData("seed: 7", "seed: seven", "22: seed: 'seven' is not an integer")]
    [InlineData("k_grid: 1, 5, 10", "k_grid: 1, five", "20: k-grid[1]: 'five' is not an integer")]
    [InlineData("layers: [1, 3]", "layers: [1, x]", "7: layers[1]: 'x' is not an integer")]
    [InlineData("layers: [1, 3]", "layers: {a: 1}", "7: layers: expected a list")]
    [InlineData("output: out", "output: \"out\\0x\"", "21: output: holds a character no path can (NUL)")]   // was an unexpected ArgumentException
    public void ValuesOfTheWrongTypeNameTheKey(string from, string to, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Load(Good.Replace(from, to)));
        Assert.Equal($"{yamlPath}:{expected}", e.Message);
    }

    [Fact]
    public void MalformedYamlNamesTheLine()
    {
        var x = Record.Exception(() => Load("model: a\ncorpus: [unclosed\ntask: upos\n"));
        Assert.True(x is ConfigException, x?.ToString());
        var e = (ConfigException)x!;
        Assert.StartsWith($"{yamlPath}:", e.Message);
        Assert.Contains("not valid YAML", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ParametersApplyToAPluginInstance()
    {
        var c = Load(Good);
        var plugin = new FakeLinearRanking();
        NeuronHost.Core.Plugins.PluginParameters.Apply("linear", plugin, PluginDescriptor.From(plugin).Parameters, c.Rankings[0].Parameters);
        Assert.Equal(0.01, plugin.L1);
        Assert.Equal(Ordering.WeightMass, plugin.Ordering);
        Assert.Equal([0.2, 0.4], plugin.Fractions);
    }
}
