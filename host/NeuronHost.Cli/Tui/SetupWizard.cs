using NeuronHost.Core.Config;
using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;
using Spectre.Console;

namespace NeuronHost.Cli.Tui;

/// <summary>The TUI's questions, keyboard only (arrows, space, enter): model, corpus, task, layers,
/// hook point, plugins (with their parameters, type-checked), k grid, output. Produces the same
/// <see cref="AnalysisConfig"/> an analysis.yaml describes.</summary>
public sealed class SetupWizard(IAnsiConsole console, PluginCatalog catalog, IReadOnlyList<string> modelRoots, IReadOnlyList<string> corpusRoots)
{
    private const string EnterPath = "(type a path…)";
    public static readonly string[] Tasks = ["upos", "xpos", "deprel", "Number", "Tense", "Person", "VerbForm", "Mood", "Case", "Degree"];
    public static readonly string[] Hooks = ["mlp.hook_post", "hook_resid_post", "hook_resid_pre", "hook_mlp_out", "hook_attn_out"];

    public AnalysisConfig Ask()
    {
        var c = new AnalysisConfig();
        c.ModelDir = AskModel();
        c.Corpus.Path = AskCorpus();
        c.Corpus.MaxSentences = NullIfZero(console.Prompt(new TextPrompt<int>("Sentences to use (0 = all):").DefaultValue(200)
            .Validate(n => n >= 0 ? ValidationResult.Success() : ValidationResult.Error("0 or more"))));
        c.Task.Name = console.Prompt(new SelectionPrompt<string>().Title("[bold]Task[/] (labels per word)").AddChoices(Tasks).PageSize(10));
        c.Task.MinClassCount = console.Prompt(new TextPrompt<int>("Drop classes with fewer words than:").DefaultValue(20)
            .Validate(n => n >= 1 ? ValidationResult.Success() : ValidationResult.Error("at least 1")));
        int layers = Math.Max(1, AssetDiscovery.LayerCount(c.ModelDir));
        var layerPrompt = new MultiSelectionPrompt<int>().Title("[bold]Layers[/] to analyse ([grey]space[/] toggles, [grey]enter[/] accepts)")
            .AddChoices(Enumerable.Range(0, layers)).UseConverter(l => $"layer {l}").PageSize(12).Required();
        layerPrompt.Select(Math.Min(1, layers - 1));
        c.Layers = console.Prompt(layerPrompt).Order().ToList();
        c.Hook = console.Prompt(new SelectionPrompt<string>().Title("[bold]Hook point[/] in each block").AddChoices(Hooks));
        c.Rankings = AskPlugins(PluginKind.Ranking, "Ranking methods");
        c.Probes = c.Rankings.Count == 0 ? [] : AskPlugins(PluginKind.Probe, "Probes (evaluated on top/bottom/random-k of each ranking)");
        c.Interventions = AskPlugins(PluginKind.Intervention, "Interventions");
        if (c.Interventions.Count > 0) c.Prompts = AskPrompts();
        var chosen = c.Rankings.Concat(c.Probes).Concat(c.Interventions).Where(u => catalog.Get(u.Plugin).Parameters.Count > 0).ToList();
        if (chosen.Count > 0 && console.Prompt(new SelectionPrompt<string>().Title("Plugin parameters?")
                .AddChoices("use the defaults", "edit parameters")) == "edit parameters")
            foreach (var use in chosen) EditParameters(use);
        if (c.Probes.Count > 0)
            c.KGrid = ParseKs(console.Prompt(new TextPrompt<string>("k grid (neurons per probe, comma list):").DefaultValue("1,5,10,20,50")
                .Validate(t => ParseKs(t).Count > 0 ? ValidationResult.Success() : ValidationResult.Error("positive integers, e.g. 1,5,10"))));
        c.OutputDir = Path.GetFullPath(console.Prompt(new TextPrompt<string>("Output folder:").DefaultValue("neuronhost-run")));
        return c;
    }

    /// <summary>Multiple-choice prompts for NEG, NeurGrad and skill neurons (the other
    /// interventions ignore them).</summary>
    private string? AskPrompts()
    {
        const string None = "none", Path_ = "(type a JSONL path…)";
        var choice = console.Prompt(new SelectionPrompt<string>().Title("[bold]Prompt set[/] for NEG / NeurGrad / skill neurons")
            .AddChoices(NeuronHost.Data.Prompts.PromptSets.BuiltInNames.Prepend(None).Append(Path_)));
        if (choice == None) return null;
        if (choice != Path_) return choice;
        return Path.GetFullPath(console.Prompt(new TextPrompt<string>("Prompts (JSONL: prompt, choices, answer):").Validate(p =>
            File.Exists(p) ? ValidationResult.Success() : ValidationResult.Error($"'{p}' does not exist"))));
    }

    private static int? NullIfZero(int n) => n == 0 ? null : n;

    public static List<int> ParseKs(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var ks = new List<int>();
        foreach (var p in parts) { if (!int.TryParse(p, out int k) || k < 1) return []; ks.Add(k); }
        return ks.Distinct().Order().ToList();
    }

    private string AskModel()
    {
        var models = AssetDiscovery.Models(modelRoots);
        var choice = console.Prompt(new SelectionPrompt<string>().Title("[bold]Model[/] (a Hugging Face folder)")
            .AddChoices(models.Append(EnterPath)).UseConverter(m => m == EnterPath ? m : $"{Path.GetFileName(m)}  [grey]{SafeMarkup.Escape(m)}[/]").PageSize(10));
        if (choice != EnterPath) return choice;
        return Path.GetFullPath(console.Prompt(new TextPrompt<string>("Model folder:").Validate(p =>
            File.Exists(Path.Combine(p, "config.json")) ? ValidationResult.Success() : ValidationResult.Error($"no config.json in '{p}'"))));
    }

    private string AskCorpus()
    {
        var corpora = AssetDiscovery.Corpora(corpusRoots);
        var choice = console.Prompt(new SelectionPrompt<string>().Title("[bold]Corpus[/] (CoNLL-U file, UD or Brown folder)")
            .AddChoices(corpora.Append(EnterPath)).UseConverter(m => m == EnterPath ? m : $"{Path.GetFileName(m)}  [grey]{SafeMarkup.Escape(Path.GetDirectoryName(m) ?? "")}[/]").PageSize(10));
        if (choice != EnterPath) return choice;
        return Path.GetFullPath(console.Prompt(new TextPrompt<string>("Corpus path:").Validate(p =>
            File.Exists(p) || Directory.Exists(p) ? ValidationResult.Success() : ValidationResult.Error($"'{p}' does not exist"))));
    }

    private List<PluginUse> AskPlugins(PluginKind kind, string title)
    {
        var plugins = catalog.Plugins.Where(p => p.Kind == kind).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        if (plugins.Count == 0) return [];
        var prompt = new MultiSelectionPrompt<LoadedPlugin>().Title($"[bold]{title}[/] ([grey]space[/] toggles, [grey]enter[/] accepts)")
            .NotRequired().PageSize(12).AddChoices(plugins)
            .UseConverter(p => $"{SafeMarkup.Escape(p.Name)}  [grey]{SafeMarkup.Escape(Shorten(p.Description, 52))}[/]");
        return console.Prompt(prompt).Select(p => new PluginUse { Plugin = p.Name }).ToList();
    }

    private void EditParameters(PluginUse use)
    {
        var plugin = catalog.Get(use.Plugin);
        const string Done = "(done)";
        while (true)
        {
            var choice = console.Prompt(new SelectionPrompt<string>().Title($"[bold]{SafeMarkup.Escape(plugin.Name)}[/] parameters")
                .AddChoices(plugin.Parameters.Select(p => p.Name).Append(Done)).PageSize(12)
                .UseConverter(n => n == Done ? n : Describe(plugin, n, use)));
            if (choice == Done) return;
            var p = plugin.Parameters.First(x => x.Name == choice);
            string current = use.Parameters.GetValueOrDefault(p.Name, p.DefaultText);
            string? error = null;
            var text = console.Prompt(new TextPrompt<string>($"{SafeMarkup.Escape(p.Name)} ({SafeMarkup.Escape(p.TypeName)}):").DefaultValue(current).AllowEmpty()
                .Validate(t =>
                {
                    try { PluginParameters.Parse(plugin.Name, p, t); return ValidationResult.Success(); }
                    catch (PluginException e) { error = e.Message; return ValidationResult.Error(SafeMarkup.Escape(error)); }
                }));
            if (text != p.DefaultText) use.Parameters[p.Name] = text; else use.Parameters.Remove(p.Name);
        }
    }

    private static string Describe(LoadedPlugin plugin, string name, PluginUse use)
    {
        var p = plugin.Parameters.First(x => x.Name == name);
        string value = use.Parameters.GetValueOrDefault(p.Name, p.DefaultText);
        return $"{SafeMarkup.Escape(p.Name)} = [bold]{SafeMarkup.Escape(value)}[/]  [grey]{SafeMarkup.Escape(Shorten(p.TypeName + "; " + p.Description, 44))}[/]";
    }

    public static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
