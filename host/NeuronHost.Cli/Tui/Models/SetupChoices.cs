using System.Globalization;
using NeuronHost.Core.Config;
using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Cli.Tui.Models;

/// <summary>What the Setup view edits, without a terminal: the choices, the problems that keep
/// Run disabled (re-checked on every edit, each naming the pane it belongs to), and the
/// <see cref="AnalysisConfig"/> the choices make (the same one an analysis.yaml describes).</summary>
public sealed class SetupChoices(IPluginDirectory plugins)
{
    public static readonly string[] Tasks = ["upos", "xpos", "deprel", "Number", "Tense", "Person", "VerbForm", "Mood", "Case", "Degree"];
    public static readonly string[] Hooks = ["mlp.hook_post", "hook_resid_post", "hook_resid_pre", "hook_mlp_out", "hook_attn_out", "attn.hook_z", "mlp.hook_pre_linear"];

    /// <summary>Interventions that act on a ranking's top neurons (they fail without one).</summary>
    public static readonly string[] NeedRanking = ["ablation", "translation"];
    /// <summary>Interventions that score multiple-choice prompts (the built-in set is used when none is given).</summary>
    public static readonly string[] NeedPrompts = ["neg", "neurgrad", "skill-neurons"];

    public IPluginDirectory Plugins { get; } = plugins;
    public AssetChoice? Model { get; set; }
    public AssetChoice? Corpus { get; set; }
    public string Task { get; set; } = "upos";
    public SortedSet<int> Layers { get; } = [1];
    public string Hook { get; set; } = "mlp.hook_post";
    public List<PluginUse> Rankings { get; } = [];
    public List<PluginUse> Probes { get; } = [];
    public List<PluginUse> Interventions { get; } = [];
    public string? Prompts { get; set; }
    public string KGrid { get; set; } = "1,5,10,20,50";
    public string Sentences { get; set; } = "200";
    public string MinClassCount { get; set; } = NeuronHost.Data.Tasks.TaskOptions.DefaultMinCount.ToString(CultureInfo.InvariantCulture);
    public string Output { get; set; } = "neuronhost-run";
    /// <summary>The Redis address of a NeuronHost cluster to extract on; empty: this machine.</summary>
    public string Cluster { get; set; } = "";
    /// <summary>Batches of sentences per cluster shard; empty: the default (<c>run --shard-batches</c>'s).</summary>
    public string ShardBatches { get; set; } = "";
    /// <summary>On a cluster, copy every row into this machine's store even when no plugin needs
    /// them here (<c>cluster-rows: coordinator</c>), for later runs without the cluster.</summary>
    public bool KeepRowsHere { get; set; }
    /// <summary>Settings an analysis.yaml carried that the view has no pane for; kept as loaded.</summary>
    private AnalysisConfig loaded = new();

    public IReadOnlyList<PluginDescriptor> PluginsOf(PluginKind kind) =>
        Plugins.Plugins.Where(p => p.Kind == kind).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    public List<PluginUse> Uses(PluginKind kind) => kind switch
    {
        PluginKind.Ranking => Rankings,
        PluginKind.Probe => Probes,
        _ => Interventions,
    };

    public bool IsChosen(PluginKind kind, string plugin) => Uses(kind).Any(u => u.Plugin == plugin);

    /// <summary>Ticks or unticks a plugin (with default parameters when ticked).</summary>
    public void Toggle(PluginKind kind, string plugin)
    {
        var uses = Uses(kind);
        if (uses.RemoveAll(u => u.Plugin == plugin) == 0) uses.Add(new PluginUse { Plugin = plugin });
    }

    public void ToggleLayer(int layer)
    {
        if (!Layers.Remove(layer)) Layers.Add(layer);
    }

    /// <summary>Every reason Run is refused, in the order of the panes; empty when it can run.</summary>
    public IReadOnlyList<SetupProblem> Problems()
    {
        var problems = new List<SetupProblem>();
        if (Model is null) problems.Add(new("model", "choose a model"));
        if (Corpus is null) problems.Add(new("corpus", "choose a corpus"));
        if (Layers.Count == 0) problems.Add(new("layers", "tick at least one layer"));
        if (Probes.Count > 0 && Rankings.Count == 0)
            problems.Add(new("probes", "probes are evaluated on a ranking's top-k neurons: tick a ranking"));
        foreach (var use in Interventions.Where(u => NeedRanking.Contains(u.Plugin)))
            if (Rankings.Count == 0) problems.Add(new("interventions", $"{use.Plugin} needs a ranking (it acts on a ranking's top neurons): tick one under Rankings"));
        if (Rankings.Count > 0 && Probes.Count > 0 && ParseKs(KGrid) is null)
            problems.Add(new("k grid", $"'{KGrid}' is not a list of positive whole numbers like 1,5,10"));
        if (ParseCount(Sentences, allowAll: true) is null)
            problems.Add(new("sentences", $"'{Sentences}' is not a positive whole number (or 'all')"));
        if (ParseCount(MinClassCount, allowAll: false) is null)
            problems.Add(new("min class", $"'{MinClassCount}' is not a positive whole number"));
        if (string.IsNullOrWhiteSpace(Output)) problems.Add(new("output", "name the output folder"));
        // Only the syntax here; whether Redis and silos answer is checked when Run connects.
        if (Cluster.Trim().Length > 0)
        {
            try { NeuronHost.Cluster.ClusterAddress.Parse(Cluster); }
            catch (NeuronHost.Cluster.ClusterException e) { problems.Add(new("cluster", e.Message)); }
        }
        if (ShardBatches.Trim().Length > 0 && ParseCount(ShardBatches, allowAll: false) is null)
            problems.Add(new("batches per shard", $"'{ShardBatches}' is not a positive whole number"));
        if (problems.Count == 0)
        {
            try { AnalysisConfigValidator.Validate(ToConfig(Environment.CurrentDirectory), Plugins); }
            catch (ConfigException e) { problems.Add(new("config", e.Message)); }
        }
        return problems;
    }

    /// <summary>The analysis these choices describe; relative paths are taken from <paramref name="baseDir"/>.</summary>
    public AnalysisConfig ToConfig(string baseDir)
    {
        int? sentences = ParseCount(Sentences, allowAll: true) is int n && n > 0 ? n : null;
        return new AnalysisConfig
        {
            ModelDir = Model?.Path ?? "",
            Corpus = new CorpusConfig { Path = Corpus?.Path ?? "", Format = Corpus?.Format is { Length: > 0 } f ? f : "conllu", MaxSentences = sentences, Split = loaded.Corpus.Split },
            Task = new TaskConfig { Name = Task, MinClassCount = ParseCount(MinClassCount, allowAll: false) ?? 1, Control = loaded.Task.Control },
            Layers = Layers.ToList(),
            Hook = Hook,
            HookPoints = loaded.HookPoints,
            Aggregation = loaded.Aggregation,
            LmInput = loaded.LmInput,
            StoreDir = loaded.StoreDir,
            Rankings = Rankings.Select(Copy).ToList(),
            Probes = Probes.Select(Copy).ToList(),
            Interventions = Interventions.Select(Copy).ToList(),
            Prompts = Prompts ?? (Interventions.Any(u => NeedPrompts.Contains(u.Plugin)) ? NeuronHost.Data.Prompts.PromptSets.BuiltInNames[0] : null),
            KGrid = ParseKs(KGrid) ?? [],
            MinimalSetMargin = loaded.MinimalSetMargin,
            RandomDraws = loaded.RandomDraws,
            OracleFractions = loaded.OracleFractions.ToList(),
            TopContexts = loaded.TopContexts,
            // a path no file system takes stays as typed: the checks refuse it with a message
            OutputDir = Output.IndexOfAny(Path.GetInvalidPathChars()) >= 0 ? Output : Path.GetFullPath(Path.Combine(baseDir, Output.Trim())),
            Seed = loaded.Seed,
            Backend = loaded.Backend,
            PluginTimeoutSeconds = loaded.PluginTimeoutSeconds,
            Cluster = Cluster.Trim() is { Length: > 0 } address ? address : null,
            ShardBatches = ShardBatches.Trim().Length > 0 ? ParseCount(ShardBatches, allowAll: false) : null,
            // unticked keeps an explicit "silos" from the loaded file; the default is the same
            ClusterRows = KeepRowsHere ? AnalysisConfig.RowsToCoordinator : loaded.ClusterRows == AnalysisConfig.RowsOnSilos ? AnalysisConfig.RowsOnSilos : null,
        };
    }

    /// <summary>The choices of a loaded analysis.yaml (settings without a pane are kept as they are).</summary>
    public void Load(AnalysisConfig c)
    {
        loaded = c;
        Model = AssetDiscovery.ModelChoice(c.ModelDir) ?? new AssetChoice(Path.GetFileName(c.ModelDir.TrimEnd('/')), "folder", c.ModelDir);
        Corpus = AssetDiscovery.CorpusChoice(c.Corpus.Path, c.Corpus.Format);
        Task = c.Task.Name;
        MinClassCount = c.Task.MinClassCount.ToString(CultureInfo.InvariantCulture);
        Layers.Clear();
        Layers.UnionWith(c.Layers);
        Hook = c.Hook;
        foreach (var (_, kind, uses) in c.PluginSections())
        {
            Uses(kind).Clear();
            Uses(kind).AddRange(uses.Select(Copy));
        }
        Prompts = c.Prompts;
        KGrid = string.Join(",", c.KGrid);
        Sentences = c.Corpus.MaxSentences?.ToString(CultureInfo.InvariantCulture) ?? "all";
        Output = c.OutputDir;
        Cluster = c.Cluster ?? "";
        ShardBatches = c.ShardBatches?.ToString(CultureInfo.InvariantCulture) ?? "";
        KeepRowsHere = c.ClusterRows == AnalysisConfig.RowsToCoordinator;
    }

    /// <summary>"1, 10,5" → [1, 5, 10]; null when any part is not a positive whole number.</summary>
    public static List<int>? ParseKs(string text)
    {
        var ks = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1) return null;
            ks.Add(k);
        }
        return ks.Count == 0 ? null : ks.Distinct().Order().ToList();
    }

    /// <summary>A positive whole number; "all" (or empty) is 0 when allowed; null when invalid.</summary>
    private static int? ParseCount(string text, bool allowAll)
    {
        text = text.Trim();
        if (allowAll && (text.Length == 0 || text.Equals("all", StringComparison.OrdinalIgnoreCase))) return 0;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : null;
    }

    private static PluginUse Copy(PluginUse u) => new() { Plugin = u.Plugin, Name = u.Name, Parameters = new(u.Parameters) };
}

/// <summary>One reason Run is refused: the pane it belongs to and what to do.</summary>
public sealed record SetupProblem(string Pane, string Message)
{
    public override string ToString() => $"{Pane}: {Message}";
}
