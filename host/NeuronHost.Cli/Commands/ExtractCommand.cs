using System.CommandLine;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Runtime.Models;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost extract --model DIR --corpus FILE --task TASK --hooks … --out STORE</c>:
/// activations of every word into an on-disk store. An interrupted extraction resumes where it
/// stopped; a matching store is reused; Ctrl+C leaves a resumable store.</summary>
public sealed class ExtractCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var model = new Option<string>("--model") { Description = "Model folder", Required = true };
        var corpus = new Option<string>("--corpus") { Description = "Corpus: a .conllu file, a UD or Brown folder, or SENTENCES:LABELS (NeuroX)", Required = true };
        var task = new Option<string?>("--task") { Description = "Task recorded with the store: upos, xpos, deprel or a feature such as Number" };
        var hooks = new Option<string[]>("--hooks") { Description = "Hook points, e.g. blocks.1.mlp.hook_post (or a suffix such as mlp.hook_post for every layer)", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "Store folder", Required = true, HelpName = "STORE" };
        // Values in lower case like everywhere else (analysis.yaml aggregation: last); any case is read.
        var aggregation = Choice("--aggregation", "One vector per word from its subword tokens: first, last or mean", "last", "first", "last", "mean");
        var dtype = Choice("--dtype", "float32 or float16 on disk", "float32", "float32", "float16");
        var batch = new Option<int>("--batch") { Description = "Sentences per forward pass", DefaultValueFactory = _ => 16 };
        var maxSentences = new Option<int?>("--max-sentences") { Description = "Keep about this many sentences: the first ones of each split, in proportion to its size", HelpName = "N" };
        var lmInput = new Option<string>("--lm-input") { Description = "What the model reads: text (a CoNLL-U sentence's # text, words aligned by characters) or words (joined by spaces)", DefaultValueFactory = _ => "text" };
        lmInput.AcceptOnlyFromAmong("text", "words");
        var force = new Option<bool>("--force") { Description = "Replace a store made from another model or corpus" };
        var command = new Command("extract", "Extract the activations of every word of a corpus into an on-disk, resumable store")
        {
            model, corpus, task, hooks, output, aggregation, dtype, batch, maxSentences, lmInput, force,
        };
        var strict = new Option<bool>("--strict") { Description = "Refuse a checkpoint holding tensors the model does not read (default: a warning)" };
        command.Add(strict);
        command.SetAction(parse =>
        {
            // checked first: an empty --out once failed after the model and corpus had loaded, as an unexpected error
            if (string.IsNullOrWhiteSpace(parse.GetRequiredValue(output))) throw new CliException("--out: give the store folder");
            var words = Corpus.Load(parse.GetRequiredValue(corpus));
            var taskSpec = parse.GetValue(task) is { } t ? CheckTask(t, words) : null;
            var session = ModelOpener.Open(parse.GetRequiredValue(model), parse.GetValue(strict));
            foreach (var warning in ModelOpener.Warnings(session)) cli.Error(parse).WriteLine($"warning: {NeuronHost.Core.Text.TerminalText.Safe(warning)}");
            var hookPoints = ResolveHooks(session.Info, parse.GetRequiredValue(hooks));
            var options = new ExtractionOptions
            {
                Corpus = parse.GetValue(maxSentences) is int max ? words.FirstSentences(max) : words,
                HookPoints = hookPoints,
                OutputDirectory = parse.GetRequiredValue(output),
                Aggregation = Enum.Parse<WordAggregation>(parse.GetRequiredValue(aggregation), ignoreCase: true),
                DType = Enum.Parse<StoreDType>(parse.GetRequiredValue(dtype), ignoreCase: true),
                BatchSize = parse.GetValue(batch),
                Force = parse.GetValue(force),
                Words = parse.GetValue(lmInput) == "words" ? WordUnit.Syntactic : WordUnit.Text,
                Task = taskSpec,
                ModelDirectory = parse.GetRequiredValue(model),
            };
            using var cts = CancelOnCtrlC();
            var result = CliProgress.Run(cli, parse, progress => ExtractionJob.Run(session, options, progress, cts.Token));
            (session as IDisposable)?.Dispose();
            if (cli.Json(parse)) cli.WriteJson(parse, result);
            else cli.Out(parse).WriteLine($"{result.State}: {result.Rows} words × {hookPoints.Count} hook point(s) in {result.Directory} ({result.ShardsWritten} shard(s) written, {result.WindowedSentences} long sentence(s) windowed)");
            return 0;
        });
        return command;
    }

    /// <summary>The task, refused when its name is malformed or no word of the corpus has its label
    /// (a typo such as "nonsense" would otherwise make a store without labels).</summary>
    internal static TaskSpec CheckTask(string name, Corpus corpus)
    {
        TaskSpec spec;
        try { spec = TaskSpec.Parse(name); }
        catch (ArgumentException e) { throw new CliException($"--task: {e.Message}"); }
        if (corpus.Sentences.SelectMany(s => s.Words).Any(w => spec.LabelOf(w) is not null)) return spec;
        var features = corpus.Sentences.SelectMany(s => s.Words).Where(w => w.Features is not null)
            .SelectMany(w => w.Features!.Keys).Distinct().Order(StringComparer.Ordinal).Take(12).ToList();
        throw new CliException($"--task '{name}': no word of {corpus.Files[0]} has a {spec.Name} label " +
            $"(tasks: upos, xpos, deprel{(features.Count > 0 ? ", or a feature: " + string.Join(", ", features) : "")})");
    }

    internal static IReadOnlyList<string> ResolveHooks(NeuronHost.Sdk.ModelInfo info, IEnumerable<string> names)
    {
        var result = new List<string>();
        foreach (var name in names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (info.HookPointWidths.ContainsKey(name)) { result.Add(name); continue; }
            var matches = Enumerable.Range(0, info.Layers).Select(l => $"blocks.{l}.{name}").Where(info.HookPointWidths.ContainsKey).ToList();
            if (matches.Count == 0) throw new CliException($"--hooks: model {info.Name} has no hook point '{name}'");
            result.AddRange(matches);
        }
        return result.Distinct().ToList();
    }

    internal static CancellationTokenSource CancelOnCtrlC()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        return cts;
    }

    /// <summary>A string option with lower-case choices, read in any case (Last still works).</summary>
    private static Option<string> Choice(string name, string description, string defaultValue, params string[] choices)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = string.Join('|', choices) };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is not null && !choices.Contains(value, StringComparer.OrdinalIgnoreCase))
                result.AddError($"{name}: '{value}' is not one of {string.Join(", ", choices)}");
        });
        return option;
    }
}
