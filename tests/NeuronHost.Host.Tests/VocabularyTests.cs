using System.CommandLine;
using System.Text.RegularExpressions;
using NeuronHost.Cli;
using NeuronHost.Cli.Commands;
using NeuronHost.Core.Config;
using NeuronHost.Core.Plugins;
using NeuronHost.Data.Tasks;
using YamlDotNet.RepresentationModel;

namespace NeuronHost.Host.Tests;

/// <summary>One naming convention for everything a user types (docs/analysis-and-reports.md,
/// "Names"): lower-case words joined by '-' — commands, options, option choices, analysis.yaml
/// keys, built-in plugin names and parameters and their choices; old spellings still read with a
/// warning; defaults that mean the same thing agree.</summary>
public sealed partial class VocabularyTests
{
    [GeneratedRegex("^--[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex LongOption();
    [GeneratedRegex("^-[a-zA-Z?]$")]
    private static partial Regex ShortOption();
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Kebab();

    private static IEnumerable<(string Path, Command Command)> Commands(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands)
            foreach (var c in Commands(sub, $"{path} {sub.Name}")) yield return c;
    }

    private static RootCommand Root() => CliApp.BuildRoot(Program.Commands, new CliContext());

    [Fact]
    public void Every_command_and_option_is_kebab_case()
    {
        var bad = new List<string>();
        int options = 0;
        foreach (var (path, command) in Commands(Root(), "neuronhost"))
        {
            if (command.Parents.Any() && !Kebab().IsMatch(command.Name)) bad.Add($"{path}: command name");
            foreach (var option in command.Options.Where(o => o is not System.CommandLine.Help.HelpOption))   // -h, /h, /? are the library's
                foreach (var name in option.Aliases.Append(option.Name))
                {
                    options++;
                    if (!LongOption().IsMatch(name) && !ShortOption().IsMatch(name)) bad.Add($"{path}: {name}");
                }
        }
        Assert.True(options > 40, $"only {options} option names found");
        // reproduce is enumerated like every command; its own options are there to be checked.
        var reproduce = Root().Subcommands.Single(c => c.Name == "reproduce").Options.Select(o => o.Name).ToList();
        foreach (var name in new[] { "--model", "--corpus", "--out", "--sentences", "--draws", "--ks", "--layers", "--ablation-sentences",
                                     "--translation-items", "--number-min-class-count", "--neg-neurons", "--seed", "--backend", "--plugin-timeout" })
            Assert.Contains(name, reproduce);
        Assert.True(bad.Count == 0, "not kebab-case: " + string.Join("; ", bad));
    }

    /// <summary>Values an option accepts from a fixed list (shown in help as a|b|c) are lower-case
    /// too: --aggregation last, not Last.</summary>
    [Fact]
    public void Option_choices_shown_in_help_are_kebab_case()
    {
        var bad = new List<string>();
        int choices = 0;
        foreach (var (path, command) in Commands(Root(), "neuronhost"))
            foreach (var option in command.Options)
            {
                var shown = option.HelpName is { } h && h.Contains('|') ? h.Split('|')
                    : option.ValueType.IsEnum ? Enum.GetNames(option.ValueType) : [];
                foreach (var value in shown)
                {
                    choices++;
                    if (!Kebab().IsMatch(value)) bad.Add($"{path} {option.Name}: {value}");
                }
            }
        Assert.True(choices >= 5, $"only {choices} choices found (--aggregation, --dtype, --format …)");
        Assert.True(bad.Count == 0, "not kebab-case: " + string.Join("; ", bad));
    }

    [Fact]
    public void Old_capitalised_choice_values_still_parse()
    {
        var parse = Root().Parse(["extract", "--model", "m", "--corpus", "c", "--hooks", "h", "--out", "o", "--aggregation", "Last", "--dtype", "Float16"]);
        Assert.Empty(parse.Errors);
        parse = Root().Parse(["extract", "--model", "m", "--corpus", "c", "--hooks", "h", "--out", "o", "--aggregation", "median"]);
        Assert.Contains(parse.Errors, e => e.Message.Contains("'median' is not one of first, last, mean", StringComparison.Ordinal));
    }

    /// <summary>Every parameter of every built-in plugin, read from the plugins' own metadata as the
    /// host loads them, and every choice of an enum parameter.</summary>
    [Fact]
    public void Every_built_in_plugin_and_parameter_is_kebab_case()
    {
        using var catalog = PluginCatalog.Load([BuiltPluginsFixture.BuiltInPlugins]);
        Assert.True(catalog.Plugins.Count >= 13, $"only {catalog.Plugins.Count} built-in plugins loaded from {BuiltPluginsFixture.BuiltInPlugins}");
        var bad = new List<string>();
        int parameters = 0;
        foreach (var plugin in catalog.Plugins)
        {
            if (!Kebab().IsMatch(plugin.Name)) bad.Add($"plugin {plugin.Name}");
            foreach (var p in plugin.Parameters)
            {
                parameters++;
                if (!Kebab().IsMatch(p.Name)) bad.Add($"{plugin.Name}.{p.Name}");
                foreach (var choice in p.Choices)
                    if (!Kebab().IsMatch(choice)) bad.Add($"{plugin.Name}.{p.Name} choice {choice}");
            }
        }
        Assert.True(parameters >= 40, $"only {parameters} plugin parameters found");
        Assert.True(bad.Count == 0, "not kebab-case: " + string.Join("; ", bad));
    }

    /// <summary>Every key the config writer emits (a config with every optional part set) is
    /// kebab-case, checked on the YAML tree, not on our own key list.</summary>
    [Fact]
    public void Every_analysis_yaml_key_is_kebab_case()
    {
        var config = new AnalysisConfig
        {
            ModelDir = "/m", Corpus = new CorpusConfig { Path = "/c", MaxSentences = 10 }, Layers = [1], HookPoints = ["blocks.0.hook_resid_post"],
            StoreDir = "/s", Rankings = [new PluginUse { Plugin = "gaussian", Name = "g", Parameters = new() { ["max-neurons"] = "5" } }],
            Probes = [new PluginUse { Plugin = "linear-probe" }], Interventions = [new PluginUse { Plugin = "ablation" }],
            Prompts = "agreement", PluginTimeoutSeconds = 5, Backend = "cpu",
        };
        var yaml = new YamlStream();
        yaml.Load(new StringReader(AnalysisYaml.Save(config)));
        var keys = new List<string>();
        void Walk(YamlNode node)
        {
            if (node is YamlMappingNode map)
                foreach (var (k, v) in map.Children) { keys.Add(((YamlScalarNode)k).Value!); Walk(v); }
            else if (node is YamlSequenceNode seq) foreach (var item in seq.Children) Walk(item);
        }
        Walk(yaml.Documents[0].RootNode);
        Assert.True(keys.Count >= 25, $"only {keys.Count} keys: {string.Join(", ", keys)}");
        Assert.All(keys, k => Assert.Matches(Kebab(), k));
        foreach (var k in new[] { "max-sentences", "min-class-count", "hook-points", "k-grid", "minimal-set-margin", "top-contexts", "plugin-timeout" })
            Assert.Contains(k, keys);
    }

    /// <summary>Files written before the rename keep working: snake_case keys and parameter names
    /// read to the same config, and the run is told once which spellings to change.</summary>
    [Fact]
    public void Old_snake_case_yaml_reads_the_same_with_one_warning()
    {
        const string body = """
            model: /m
            corpus: { path: /c, max{0}sentences: 30 }
            task: { name: upos, min{0}class{0}count: 7 }
            layers: [1]
            rankings:
              - plugin: gaussian
                parameters: { max{0}neurons: 12 }
            k{0}grid: [1, 3]
            top{0}contexts: 2
            """;
        var kebab = AnalysisYaml.Parse(body.Replace("{0}", "-"), "new.yaml");
        var snake = AnalysisYaml.Parse(body.Replace("{0}", "_"), "old.yaml");
        Assert.Empty(kebab.Warnings);
        Assert.Equal(AnalysisYaml.Save(kebab), AnalysisYaml.Save(snake));
        Assert.Equal((30, 7, 2), (snake.Corpus.MaxSentences, snake.Task.MinClassCount, snake.TopContexts));
        Assert.Equal([1, 3], snake.KGrid);
        Assert.Equal("12", snake.Rankings[0].Parameters["max-neurons"]);
        var warning = Assert.Single(snake.Warnings);
        foreach (var (old, line) in new[] { ("max_sentences → max-sentences", 2), ("min_class_count → min-class-count", 3), ("max_neurons → max-neurons", 7), ("k_grid → k-grid", 8), ("top_contexts → top-contexts", 9) })
            Assert.Contains($"{old} (line {line})", warning);
        Assert.StartsWith("old.yaml:", warning);
    }

    /// <summary>The minimum class count means the same everywhere it can be set, and so does the
    /// backend: one default.</summary>
    [Fact]
    public void Defaults_that_mean_the_same_agree()
    {
        var root = Root();
        int Default(string command, string option) =>
            (int)root.Subcommands.Single(c => c.Name == command).Options.Single(o => o.Name == option).GetDefaultValue()!;
        var counts = new Dictionary<string, int>
        {
            ["rank --min-count"] = Default("rank", "--min-count"),
            ["export --min-count"] = Default("export", "--min-count"),
            ["analysis.yaml task.min-class-count"] = new AnalysisConfig().Task.MinClassCount,
            ["TUI"] = int.Parse(new NeuronHost.Cli.Tui.Models.SetupChoices(new PluginDirectory([])).MinClassCount, System.Globalization.CultureInfo.InvariantCulture),
            ["demo"] = DemoCommand.Config("/m", "/c", "/o", 100).Task.MinClassCount,
            ["task builder"] = new TaskOptions().MinCount,
        };
        Assert.True(counts.Values.Distinct().Count() == 1, string.Join(", ", counts.Select(kv => $"{kv.Key} = {kv.Value}")));
        Assert.Equal(20, counts["rank --min-count"]);

        // Backend: unset everywhere, so NEURONHOST_BACKEND decides, then auto.
        foreach (var command in new[] { "rank", "run", "demo", "reproduce" })
        {
            var option = root.Subcommands.Single(c => c.Name == command).Options.SingleOrDefault(o => o.Name == "--backend");
            Assert.True(option is not null, $"{command} has no --backend");
            Assert.False(option!.HasDefaultValue, $"{command} --backend has a default of its own");
        }
        Assert.Equal("", new AnalysisConfig().Backend);
    }
}
