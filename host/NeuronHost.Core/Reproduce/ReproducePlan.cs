using NeuronHost.Core.Config;
using NeuronHost.Data.Corpora;
using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Reproduce;

/// <summary>What <c>neuronhost reproduce</c> was asked for. The defaults finish in minutes on
/// gpt2-mini-brown + EWT on 2 cores; raise them for a study.</summary>
public sealed class ReproduceOptions
{
    public string ModelDir { get; set; } = "";
    public string CorpusPath { get; set; } = "";
    public string OutputDir { get; set; } = "neuronhost-reproduce";
    /// <summary>Sentences whose activations are stored (the interventions score the corpus's held-out split).</summary>
    public int Sentences { get; set; } = 1000;
    /// <summary>Seeded random draws per baseline.</summary>
    public int Draws { get; set; } = 10;
    /// <summary>k of the probe grid and of the interventions; the largest k is the one the table reads.</summary>
    public List<int> Ks { get; set; } = [10, 50];
    /// <summary>Held-out sentences scored by ablation.</summary>
    public int AblationSentences { get; set; } = 100;
    /// <summary>Agreement items translated (0: every item of the held-out split).</summary>
    public int TranslationItems { get; set; }
    /// <summary>Number classes (and translation's noun classes) with fewer training words are
    /// dropped: Pitfalls' setting, which removes Number=Ptan (38 EWT training words). The other
    /// tasks use the shared default (<see cref="NeuronHost.Data.Tasks.TaskOptions.DefaultMinCount"/>).</summary>
    public int NumberMinClassCount { get; set; } = 100;
    /// <summary>Neurons per prompt measured by empirical NEG (4 agreement prompts).</summary>
    public int NegNeurons { get; set; } = 256;
    /// <summary>Layers analysed; null: every layer of the model.</summary>
    public List<int>? Layers { get; set; }
    public int Seed { get; set; } = 1;
    public string Backend { get; set; } = "";
}

/// <summary>One analysis the reproduction runs (a folder under runs/), or the reason it is skipped.</summary>
public sealed record PlannedRun(string Name, string Purpose, AnalysisConfig? Config, string? SkippedBecause);

/// <summary>The analyses behind the five seed findings, as ordinary <c>run</c> configs so every
/// number comes from the same pipeline and results.json as <c>neuronhost run</c>:
/// "easy" (upos: all rankings × both probes, minimal sets, ablation) for (a), (c), (d);
/// "hard" (deprel, or Brown's fine tags) for (d); "number" (Number: translation, NEG) for (b), (e).</summary>
public static class ReproducePlan
{
    public const string Easy = "easy", Hard = "hard", Number = "number";

    public static List<PlannedRun> Make(ReproduceOptions o, ModelKind model)
    {
        string format = Corpus.FormatOf(o.CorpusPath)
            ?? throw new ConfigException($"corpus '{o.CorpusPath}': not a CoNLL-U file/folder or a Brown folder");
        var layers = o.Layers ?? Enumerable.Range(0, model.Layers).ToList();
        if (layers.Where(l => l < 0 || l >= model.Layers).Select(l => (int?)l).FirstOrDefault() is int bad)
            throw new ConfigException($"layer {bad}: {model.Name} has layers 0 … {model.Layers - 1}");
        string ks = string.Join(",", o.Ks);
        string hardTask = format == "brown" ? "xpos" : "deprel";
        var runs = new List<PlannedRun>
        {
            new(Easy, "upos: each ranking under each probe (a), ablation (c), minimal set (d)", (Base(o, format, layers, "upos", "runs/" + Easy) with
            {
                Rankings = AllRankings(),
                Probes = Probes(),
                Interventions = [new PluginUse { Plugin = "ablation", Parameters = new() { ["ks"] = ks, ["max-sentences"] = $"{o.AblationSentences}", ["random-draws"] = $"{o.Draws}" } }],
            }).Build(), null),
            new(Hard, $"{hardTask}: the harder task's minimal set and layers (d)", (Base(o, format, layers, hardTask, "runs/" + Hard) with
            {
                Rankings = [Linear()],
                Probes = [Probes()[0]],
                Control = false,   // selectivity is reported for the easy task; the hard run only needs its minimal set
            }).Build(), null),
        };
        // Every reason that applies is named: USE-Lite + Brown lacks both, and naming only the corpus
        // suggested that a CoNLL-U corpus would make (b) and (e) measurable on a sentence encoder.
        var problems = new List<string>();
        if (format != "conllu") problems.Add("the corpus has no Number feature (translation needs CoNLL-U nouns with Number and agreeing verbs)");
        if (!model.LanguageModel) problems.Add($"{model.Name} is a sentence encoder without an LM head: no next-word agreement to translate and no target probability for NEG");
        string? numberProblem = problems.Count == 0 ? null : string.Join("; and ", problems);
        if (numberProblem is not null) runs.Add(new(Number, "Number: translation (b), NEG (e)", null, numberProblem));
        else runs.Add(new(Number, "Number: translation (b), NEG and NeurGrad (e)", (Base(o, format, layers, "Number", "runs/" + Number) with
        {
            Rankings = AllRankings(),
            Prompts = "agreement",
            Interventions =
            [
                new PluginUse { Plugin = "translation", Parameters = new() { ["ks"] = ks, ["random-draws"] = $"{o.Draws}", ["max-items"] = $"{o.TranslationItems}", ["min-class-count"] = $"{o.NumberMinClassCount}" } },
                new PluginUse { Plugin = "neg", Parameters = new() { ["max-prompts"] = "4", ["neurons-per-prompt"] = $"{o.NegNeurons}" } },
            ],
            Control = false,
        }).Build(), null));
        return runs;
    }

    private static ConfigDraft Base(ReproduceOptions o, string format, List<int> layers, string task, string folder) => new()
    {
        Options = o, Format = format, Layers = layers, Task = task, Folder = folder,
    };

    /// <summary>Pitfalls' three rankings, sized (as the demo's) to finish in minutes on 2 cores.</summary>
    private static List<PluginUse> AllRankings() =>
    [
        new PluginUse { Plugin = "probeless" },
        Linear(),
        new PluginUse { Plugin = "gaussian", Parameters = new() { ["max-neurons"] = "30", ["max-selection-tokens"] = "1500" } },
    ];

    private static PluginUse Linear() => new() { Plugin = "linear", Parameters = new() { ["ordering"] = "pitfalls", ["max-iterations"] = "100" } };

    private static List<PluginUse> Probes() =>
    [
        new PluginUse { Plugin = "linear-probe", Parameters = new() { ["max-iterations"] = "100" } },
        new PluginUse { Plugin = "gaussian-probe" },
    ];

    private sealed record ConfigDraft
    {
        public required ReproduceOptions Options { get; init; }
        public required string Format { get; init; }
        public required List<int> Layers { get; init; }
        public required string Task { get; init; }
        public required string Folder { get; init; }
        public List<PluginUse> Rankings { get; init; } = [];
        public List<PluginUse> Probes { get; init; } = [];
        public List<PluginUse> Interventions { get; init; } = [];
        public string? Prompts { get; init; }
        public bool Control { get; init; } = true;

        public AnalysisConfig Build() => new()
        {
            ModelDir = Path.GetFullPath(Options.ModelDir),
            Corpus = new CorpusConfig { Path = Path.GetFullPath(Options.CorpusPath), Format = Format, MaxSentences = Options.Sentences, Split = [0.8, 0.1, 0.1] },
            Task = new TaskConfig { Name = Task, MinClassCount = Task == "Number" ? Options.NumberMinClassCount : NeuronHost.Data.Tasks.TaskOptions.DefaultMinCount, Control = Control },
            Layers = Layers,
            Hook = "mlp.hook_post",
            Aggregation = "last",
            Rankings = Rankings,
            Probes = Probes,
            Interventions = Interventions,
            Prompts = Prompts,
            KGrid = [.. Options.Ks],
            RandomDraws = Options.Draws,
            OracleFractions = [0.95],   // the one fraction finding (d) reads; each costs a binary search
            TopContexts = 0,
            OutputDir = Path.GetFullPath(Path.Combine(Options.OutputDir, Folder)),
            Seed = Options.Seed,
            Backend = Options.Backend,
        };
    }
}

/// <summary>What the plan needs to know about the model: its name, its layers, and whether it
/// predicts words (an LM head) or only embeds sentences.</summary>
public sealed record ModelKind(string Name, int Layers, bool LanguageModel)
{
    public static ModelKind Of(string modelDir)
    {
        var session = ModelOpener.Open(modelDir);
        try
        {
            var info = session.Info;
            var ids = session.Tokenizer?.Encode("The") ?? [];
            bool lm = ids.Length > 0 && session.Forward(new ForwardRequest([ids]) { Logits = LogitsMode.Last }).Logits[0].Columns == info.VocabSize;
            return new ModelKind(info.Name, info.Layers, lm);
        }
        finally { (session as IDisposable)?.Dispose(); }
    }
}
