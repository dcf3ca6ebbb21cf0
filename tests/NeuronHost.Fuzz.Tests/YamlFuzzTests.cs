using NeuronHost.Core.Config;
using NeuronHost.Core.Plugins;
using NeuronHost.Fuzz.Tests.Support;
using NeuronHost.Tests.Common;

namespace NeuronHost.Fuzz.Tests;

/// <summary>analysis.yaml mistakes issue 15 found accepted (or crashing), checked by the parser
/// and the validator with the built-in plugins loaded as the CLI loads them.</summary>
public sealed class YamlFuzzTests(BuiltInPlugins plugins) : IClassFixture<BuiltInPlugins>
{
    private static string Valid(string extra = "", string corpusFormat = "conllu") => $"""
        model: {SharedAssets.Model("gpt2-mini-brown")}
        corpus:
          path: {SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu")}
          format: {corpusFormat}
          max_sentences: 50
        task: upos
        layers: [1]
        rankings:
          - plugin: probeless
          - plugin: linear
        probes:
          - plugin: linear-probe
        k_grid: [1, 5]
        output: out
        {extra}
        """;

    private AnalysisConfig Load(string text, Scratch scratch, string name = "analysis.yaml")
    {
        string file = scratch.File(name);
        File.WriteAllText(file, text);
        AnalysisConfig config;
        try { config = AnalysisYaml.Load(file); }
        catch (ConfigException e) { throw AnalysisConfigValidator.AllProblems(e, plugins.Directory); }   // as `run` reports them
        AnalysisConfigValidator.Validate(config, plugins.Directory);
        return config;
    }

    [SharedFact]
    public void The_valid_config_passes()
    {
        using var scratch = new Scratch();
        var config = Load(Valid(), scratch);
        Assert.Equal([1, 5], config.KGrid);
    }

    /// <summary>(YAML change, the key path and words the error must name).</summary>
    public static TheoryData<string, string, string> Mistakes() => new()
    {
        { "rankings:\n  - plugin: linear\n    parameters: {l1: -1}", "parameters.l1", "at least 0" },
        { "rankings:\n  - plugin: gaussian\n    parameters: {max_neurons: -1}", "parameters.max-neurons", "from 1 to 4096" },
        { "rankings:\n  - plugin: gaussian\n    parameters: {max_neurons: 2147483647}", "parameters.max-neurons", "from 1 to 4096" },
        { "probes:\n  - plugin: linear-probe\n    parameters: {l2: -0.5}", "parameters.l2", "at least 0" },
        { $"k_grid: [{string.Join(", ", Enumerable.Range(1, 20_000))}]", "k-grid", "at most 1000" },
        { "k_grid: [1, 0, 2147483647]", "k-grid[1]", "from 1 to" },
        { "{? [a] : b}", "(top level)", "plain name" },
        { "rankings:\n  - plugin: linear\n    parameters: {? [a] : b}", "parameters", "plain name" },
        { "seed: 1e999", "seed", "not an integer" },
        { "task: {name: [upos]}", "task.name", "single value" },
    };

    [SharedTheory]
    [MemberData(nameof(Mistakes))]
    public void A_mistake_is_refused_with_key_line_and_allowed_range(string change, string key, string mentioning)
    {
        using var scratch = new Scratch();
        // The change replaces the key it sets (YAML mappings may not repeat a key).
        var lines = Valid().Split('\n').ToList();
        string firstKey = change.TrimStart('{', '?', ' ').Split(':')[0];
        int at = lines.FindIndex(l => l.StartsWith(firstKey + ":", StringComparison.Ordinal));
        if (at >= 0)
        {
            int endAt = at + 1;
            while (endAt < lines.Count && lines[endAt].StartsWith(' ')) endAt++;
            lines.RemoveRange(at, endAt - at);
        }
        string file = scratch.File("analysis.yaml");
        // A flow mapping is a whole document of its own.
        string text = change.StartsWith('{') ? change + "\n" : string.Join('\n', lines) + "\n" + change + "\n";
        var line = Outcome.MustFail(() => Load(text, scratch), file, mentioning);
        Assert.Contains(key, line, StringComparison.Ordinal);
        Assert.Matches(@"analysis\.yaml:\d+:", line);
    }

    [SharedFact]
    public void Corpus_format_brown_on_a_conllu_file_is_refused()
    {
        using var scratch = new Scratch();
        var line = Outcome.MustFail(() => Load(Valid(corpusFormat: "brown"), scratch), scratch.File("analysis.yaml"), "is a conllu corpus");
        Assert.Contains("analysis.yaml:4: corpus.format", line, StringComparison.Ordinal);
    }

    [SharedFact]
    public void Several_mistakes_are_reported_together()
    {
        using var scratch = new Scratch();
        string text = Valid().Replace("k_grid: [1, 5]", "k_grid: [0]").Replace("task: upos", "task: upos\nbogus: 1\naggregation: median");
        // A key the parser refuses and two values the validator refuses: all three in one message.
        var line = Outcome.MustFail(() => Load(text, scratch), scratch.File("analysis.yaml"), "3 problems");
        Assert.Contains("unknown key 'bogus'", line, StringComparison.Ordinal);
        Assert.Contains("k-grid[0]", line, StringComparison.Ordinal);
        Assert.Contains("aggregation: 'median'", line, StringComparison.Ordinal);
        // An unknown plugin and a misspelt parameter are found with a key of the wrong type.
        text = Valid().Replace("k_grid: [1, 5]", "k_grid: [1, x]").Replace("plugin: probeless", "plugin: probles");
        line = Outcome.MustFail(() => Load(text, scratch), scratch.File("analysis.yaml"), "2 problems");
        Assert.Contains("k-grid[1]: 'x' is not an integer", line, StringComparison.Ordinal);
        Assert.Contains("unknown ranking plugin 'probles'", line, StringComparison.Ordinal);
    }

    [SharedFact]
    public void A_10_MB_value_is_refused_by_size_and_never_printed_whole()
    {
        using var scratch = new Scratch();
        var line = Outcome.MustFail(() => Load(Valid("backend: " + new string('x', 10_000_000)), scratch), scratch.File("analysis.yaml"), "limit");
        Assert.True(line.Length < 500, line);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_in_process_without_recursion()
    {
        using var scratch = new Scratch();
        // 5,000 levels: deep enough to prove the check runs before the recursive tree builder.
        string text = "model: " + new string('[', 5000) + new string(']', 5000) + "\n";
        Outcome.MustFail(() => Load(text, scratch), scratch.File("analysis.yaml"), "deeper than");
        text = "model:\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => "- ")) + "x\n";
        Outcome.MustFail(() => Load(text, scratch), scratch.File("analysis.yaml"), "deeper than");
    }

    public static TheoryData<int> Seeds(int count) => new(Enumerable.Range(0, count));

    [SharedTheory]
    [MemberData(nameof(Seeds), 60)]
    public void Randomly_damaged_config_fails_cleanly_or_passes(int seed)
    {
        var rng = new Random(7000 + seed);
        string text = Valid("seed: 3\nminimal_set_margin: 0.01\ntop_contexts: 5");
        for (int i = 0, n = rng.Next(1, 4); i < n; i++) text = Mutate.Text(text, rng);
        using var scratch = new Scratch();
        Outcome.CleanErrorOrSuccess(() => Load(text, scratch), scratch.File("analysis.yaml"));
    }
}

/// <summary>The built-in plugins, built and loaded as the CLI loads them (plugins/ output folders).</summary>
public sealed class BuiltInPlugins : IDisposable
{
    private readonly PluginCatalog catalog;
    public IPluginDirectory Directory { get; }

    public BuiltInPlugins()
    {
        catalog = PluginCatalog.Load([Path.Combine(SharedAssets.RepoRoot, "artifacts", "plugins")]);
        Directory = PluginDirectory.FromCatalog(catalog);
    }

    public void Dispose() => catalog.Dispose();
}
