using NeuronHost.Core.Plugins;
using NeuronHost.Data.Corpora;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Config;

/// <summary>Checks a config before anything runs, so a typo costs a second, not an extraction:
/// every problem is found and they are thrown together as one <see cref="ConfigException"/>,
/// each naming file, line and key.</summary>
public static class AnalysisConfigValidator
{
    public static readonly string[] CorpusFormats = ["conllu", "brown", "neurox"];
    public static readonly string[] Aggregations = ["first", "last", "mean"];
    public static readonly string[] LmInputs = ["text", "words"];
    public static readonly string[] Backends = NeuronHost.Kernels.KernelBackends.Choices.Split(", ");
    /// <summary>Most k values one grid probes (Pitfalls' grid has 150); each probe retrains.</summary>
    public const int MaxKGridEntries = 1000;
    /// <summary>Each random draw retrains every probe at every k; more than this is a typo.</summary>
    public const int MaxRandomDraws = 1000;
    /// <summary>Largest k (neurons in one subset); above any model's neuron count we run.</summary>
    public const int MaxK = 1_000_000;

    public static void Validate(AnalysisConfig c, IPluginDirectory plugins, bool checkFiles = true)
    {
        string At(string path) => c.Source?.Where(path) ?? path;
        var problems = new List<string>();
        void Fail(string path, string message) => problems.Add($"{At(path)}: {message}");

        if (string.IsNullOrWhiteSpace(c.ModelDir)) Fail("model", "missing: the model folder (Hugging Face layout) is required");
        else if (checkFiles)
        {
            if (!Directory.Exists(c.ModelDir)) Fail("model", $"model folder '{c.ModelDir}' does not exist");
            else if (!new[] { "config.json", "model.json", Path.Combine("dist", "model.json") }.Any(f => File.Exists(Path.Combine(c.ModelDir, f))))
                Fail("model", $"'{c.ModelDir}' is not a model folder (no config.json, nor a TF.js model.json)");
        }
        if (string.IsNullOrWhiteSpace(c.Corpus.Path)) Fail("corpus.path", "missing: the corpus file is required");
        else if (checkFiles && !File.Exists(c.Corpus.Path) && !Directory.Exists(c.Corpus.Path))
            Fail("corpus.path", $"corpus '{c.Corpus.Path}' does not exist");
        if (!CorpusFormats.Contains(c.Corpus.Format)) Fail("corpus.format", $"'{c.Corpus.Format}' is not one of {string.Join(", ", CorpusFormats)}");
        else if (checkFiles && c.Source?.Lines.ContainsKey("corpus.format") == true
                 && Corpus.FormatOf(c.Corpus.Path) is { } found && found != c.Corpus.Format)
            Fail("corpus.format", $"is '{c.Corpus.Format}' but '{c.Corpus.Path}' is a {found} corpus");
        if (c.Corpus.MaxSentences is <= 0) Fail("corpus.max-sentences", "must be positive");
        if (c.Corpus.Split.Count != 3 || c.Corpus.Split.Any(f => f < 0) || Math.Abs(c.Corpus.Split.Sum() - 1) > 1e-6)
            Fail("corpus.split", "must be three fractions (train, dev, test) that sum to 1");
        if (string.IsNullOrWhiteSpace(c.Task.Name)) Fail("task.name", "missing: the task (upos, xpos, deprel or a feature like Number)");
        if (c.Task.MinClassCount < 1) Fail("task.min-class-count", "must be at least 1");

        if (c.Layers.Any(l => l < 0)) Fail("layers", "layer numbers start at 0");
        var hooks = c.ResolvedHookPoints();
        if (hooks.Count == 0) Fail("layers", "choose at least one layer (layers: [0]) or hook point (hook-points: [...])");
        foreach (var (h, i) in c.HookPoints.Select((h, i) => (h, i)))
            if (HookPoints.LayerOf(h) < 0) Fail($"hook-points[{i}]", $"'{h}' is not a hook point like blocks.0.mlp.hook_post");
        if (!Aggregations.Contains(c.Aggregation)) Fail("aggregation", $"'{c.Aggregation}' is not one of {string.Join(", ", Aggregations)}");
        if (!LmInputs.Contains(c.LmInput)) Fail("lm-input", $"'{c.LmInput}' is not one of {string.Join(", ", LmInputs)}");
        if (c.Backend.Length > 0 && !NeuronHost.Kernels.KernelBackends.IsKnown(c.Backend)) Fail("backend", $"'{c.Backend}' is not one of {string.Join(", ", Backends)}");

        if (c.KGrid.Count == 0 && c.Probes.Count > 0 && c.Rankings.Count > 0) Fail("k-grid", "is empty: list the neuron counts k to probe");
        if (c.KGrid.Count > MaxKGridEntries)
            Fail("k-grid", $"has {c.KGrid.Count} entries; at most {MaxKGridEntries} are allowed (each one retrains every probe)");
        else
            foreach (var (k, i) in c.KGrid.Select((k, i) => (k, i)))
                if (k < 1 || k > MaxK) Fail($"k-grid[{i}]", $"k must be from 1 to {MaxK}, not {k}");
        if (c.MinimalSetMargin < 0) Fail("minimal-set-margin", "must not be negative");
        if (c.RandomDraws < 1 || c.RandomDraws > MaxRandomDraws) Fail("random-draws", $"must be from 1 to {MaxRandomDraws}, not {c.RandomDraws} (10 or more for a meaningful interval)");
        foreach (var (f, i) in c.OracleFractions.Select((f, i) => (f, i)))
            if (!(f > 0 && f <= 1)) Fail($"oracle-fractions[{i}]", $"must be a fraction in (0, 1], not {f}");
        if (c.TopContexts < 0) Fail("top-contexts", "must not be negative");
        if (string.IsNullOrWhiteSpace(c.OutputDir)) Fail("output", "missing: the folder the results go to");
        else if (checkFiles && OutputFolderProblem(c.OutputDir) is { } outputProblem) Fail("output", outputProblem);

        foreach (var (section, kind, uses) in c.PluginSections())
        {
            var seen = new HashSet<string>();
            for (int i = 0; i < uses.Count; i++)
            {
                var use = uses[i];
                string path = $"{section}[{i}]";
                var plugin = plugins.Plugins.FirstOrDefault(p => p.Name == use.Plugin)
                    ?? plugins.Plugins.FirstOrDefault(p => string.Equals(p.Name, use.Plugin, StringComparison.OrdinalIgnoreCase));
                if (plugin is null)
                {
                    var names = plugins.Plugins.Where(p => p.Kind == kind).Select(p => p.Name).ToList();
                    Fail($"{path}.plugin", $"unknown {kind.ToString().ToLowerInvariant()} plugin '{use.Plugin}' (available: {(names.Count == 0 ? "none loaded" : string.Join(", ", names))})");
                    continue;
                }
                if (plugin.Kind != kind)
                {
                    Fail($"{path}.plugin", $"'{plugin.Name}' is a {plugin.Kind.ToString().ToLowerInvariant()} plugin, not a {kind.ToString().ToLowerInvariant()} plugin");
                    continue;
                }
                if (!seen.Add(use.DisplayName))
                    Fail($"{path}.name", $"'{use.DisplayName}' is used twice in {section}: give one a different 'name:'");
                foreach (var (key, text) in use.Parameters)
                {
                    string ppath = $"{path}.parameters.{key}";
                    var p = plugin.Find(key);
                    if (p is null)
                    {
                        Fail(ppath, $"plugin '{plugin.Name}' has no parameter '{key}' (its parameters: {(plugin.Parameters.Count == 0 ? "none" : string.Join(", ", plugin.Parameters.Select(x => x.Name)))})");
                        continue;
                    }
                    try { PluginParameters.Parse(plugin.Name, p, text); }
                    catch (PluginException e) { Fail(ppath, $"{e.Message} (expected {p.TypeName}{(p.RangeText.Length > 0 ? " " + p.RangeText : "")})"); }
                }
            }
        }
        if (problems.Count > 0) throw ConfigException.Of(problems);
    }

    /// <summary>A file that does not parse cleanly is still validated as far as it was read, so a
    /// YAML with several mistakes (a misspelt key and an unknown plugin) reports all of them in one
    /// run: the parse problems, then the validator's.</summary>
    public static ConfigException AllProblems(ConfigException parsing, IPluginDirectory plugins)
    {
        if (parsing.Partial is not { } partial) return parsing;
        try { Validate(partial, plugins); }
        catch (ConfigException more) { return ConfigException.Of([.. parsing.Problems, .. more.Problems.Except(parsing.Problems)]); }
        return parsing;
    }

    /// <summary>Checked before any work: a run only ever replaces its own earlier output folder.</summary>
    private static string? OutputFolderProblem(string outDir)
    {
        try { Reports.ReportFolder.CheckTarget(outDir); return null; }
        catch (NeuronHost.Data.Output.OutputFolderException e) { return e.Message; }
    }
}
