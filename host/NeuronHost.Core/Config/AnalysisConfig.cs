using NeuronHost.Sdk;

namespace NeuronHost.Core.Config;

/// <summary>One analysis as a user describes it in analysis.yaml (or the TUI builds it): what to
/// analyse, with which plugins, where the results go. Paths are absolute once loaded (relative
/// ones are resolved against the YAML file's folder).</summary>
public sealed class AnalysisConfig
{
    public string ModelDir { get; set; } = "";
    public CorpusConfig Corpus { get; set; } = new();
    public TaskConfig Task { get; set; } = new();
    /// <summary>Layers whose <see cref="Hook"/> is analysed (e.g. [1, 3] with mlp.hook_post).</summary>
    public List<int> Layers { get; set; } = [];
    /// <summary>The hook point inside each block, without "blocks.{i}.": "mlp.hook_post", "hook_resid_post"…</summary>
    public string Hook { get; set; } = "mlp.hook_post";
    /// <summary>Full hook point names, in addition to Layers × Hook.</summary>
    public List<string> HookPoints { get; set; } = [];
    /// <summary>How a word's subword vectors become one: first, last or mean.</summary>
    public string Aggregation { get; set; } = "last";
    /// <summary>What the model reads: "text" (a CoNLL-U sentence's <c># text</c>, words aligned to
    /// tokens by characters; sentences without one fall back to words) or "words" (the words joined
    /// by spaces: "do n't" and " ."), for both the stored activations and the interventions' LM input.</summary>
    public string LmInput { get; set; } = "text";
    /// <summary>Activation store folder; empty: a folder inside the output.</summary>
    public string? StoreDir { get; set; }
    public List<PluginUse> Rankings { get; set; } = [];
    public List<PluginUse> Probes { get; set; } = [];
    public List<PluginUse> Interventions { get; set; } = [];
    /// <summary>Multiple-choice prompts for NEG, NeurGrad and skill neurons: a built-in set
    /// ("agreement") or a JSONL file; null: none.</summary>
    public string? Prompts { get; set; }
    public List<int> KGrid { get; set; } = [1, 5, 10, 20, 50, 100];
    /// <summary>Minimal neuron set: accuracy within this of the all-neuron accuracy.</summary>
    public double MinimalSetMargin { get; set; } = 0.01;
    /// <summary>Seeded draws of every random-k baseline (grid; ablation and translation unless their
    /// own random-draws parameter is set); at least 10 for an interval that means something.</summary>
    public int RandomDraws { get; set; } = 10;
    /// <summary>"Neurons to reach X of the oracle": the fractions searched for on dev.</summary>
    public List<double> OracleFractions { get; set; } = [0.9, 0.95, 0.99];
    /// <summary>Neurons per ranking shown with their max-activating contexts.</summary>
    public int TopContexts { get; set; } = 5;
    public string OutputDir { get; set; } = "neuronhost-run";
    public int Seed { get; set; } = 1;
    /// <summary>Longest one plugin call may take, in seconds (YAML plugin-timeout); null: no limit.
    /// A plugin that takes longer is stopped and recorded as failed.</summary>
    public double? PluginTimeoutSeconds { get; set; }
    /// <summary>Kernel backend: auto, cpu, cuda[:N], opencl[:N] or ilgpu-cpu; empty (the default,
    /// as for rank --backend): NEURONHOST_BACKEND, else auto.</summary>
    public string Backend { get; set; } = "";
    /// <summary>The Redis address of a NeuronHost cluster to extract on (YAML cluster:, the same as
    /// <c>run --cluster</c>, which overrides it); null: this machine. Its syntax is checked where the
    /// cluster client lives (the CLI and the TUI), with this key's file and line.</summary>
    public string? Cluster { get; set; }
    /// <summary>Batches of sentences per cluster shard (YAML shard-batches; <c>run --shard-batches</c>
    /// overrides it); null: the cluster client's default. Unused on one machine.</summary>
    public int? ShardBatches { get; set; }
    /// <summary>Where a cluster run leaves the rows when no plugin needs them in one place (YAML
    /// cluster-rows; <c>run --cluster-rows</c> overrides it): "silos" (the default: they stay where
    /// they were extracted, and go when the run ends) or "coordinator" (every row is copied into this
    /// machine's activation store, which later runs then reuse without the cluster).</summary>
    public string? ClusterRows { get; set; }

    public const string RowsOnSilos = "silos", RowsToCoordinator = "coordinator";
    /// <summary>Where the config was read from (file and key lines), for error messages; null when built in code.</summary>
    public ConfigSource? Source { get; set; }
    /// <summary>Lines about the file the run should show (old key spellings still read).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The hook points to extract, in order: Layers × Hook, then HookPoints.</summary>
    public List<string> ResolvedHookPoints() =>
        Layers.Select(l => $"blocks.{l}.{Hook}").Concat(HookPoints).Distinct().ToList();

    public IEnumerable<(string Section, PluginKind Kind, List<PluginUse> Uses)> PluginSections()
    {
        yield return ("rankings", PluginKind.Ranking, Rankings);
        yield return ("probes", PluginKind.Probe, Probes);
        yield return ("interventions", PluginKind.Intervention, Interventions);
    }
}

public sealed class CorpusConfig
{
    public string Path { get; set; } = "";
    /// <summary>conllu, brown (word/tag lines) or neurox (sentences + labels files).</summary>
    public string Format { get; set; } = "conllu";
    /// <summary>Use only the first N sentences (null: all).</summary>
    public int? MaxSentences { get; set; }
    /// <summary>Train / dev / test fractions of a seeded random split.</summary>
    public List<double> Split { get; set; } = [0.8, 0.1, 0.1];
}

public sealed class TaskConfig
{
    /// <summary>upos, xpos, deprel, or a morphological feature (Number, Tense…).</summary>
    public string Name { get; set; } = "upos";
    /// <summary>Classes with fewer training words are dropped (the default every command shares).</summary>
    public int MinClassCount { get; set; } = NeuronHost.Data.Tasks.TaskOptions.DefaultMinCount;
    /// <summary>Build the Hewitt &amp; Liang control task for selectivity.</summary>
    public bool Control { get; set; } = true;
}

/// <summary>One use of a plugin with its parameters (as the user wrote them; checked against the
/// plugin's typed parameters by the validator).</summary>
public sealed class PluginUse
{
    public string Plugin { get; set; } = "";
    /// <summary>Display name in results (defaults to the plugin name; needed when one plugin is
    /// used twice with different parameters).</summary>
    public string? Name { get; set; }
    public Dictionary<string, string> Parameters { get; set; } = [];
    public string DisplayName => string.IsNullOrEmpty(Name) ? Plugin : Name;
}
