using System.CommandLine;
using NeuronHost.Core.Config;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Reproduce;
using NeuronHost.Core.Reports;
using Spectre.Console;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost reproduce --model M --corpus C [--out DIR]</c>: runs the five seed
/// findings of the papers NeuronHost implements as ordinary analyses (one run folder each under
/// DIR/runs/) and prints one table — finding, the paper's claim, our effect with its interval,
/// holds / does not hold / cannot tell. Progress, Ctrl+C and the output-folder rule as for <c>run</c>.</summary>
public sealed class ReproduceCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var defaults = new ReproduceOptions();
        var model = new Option<string>("--model") { Description = "Model folder (Hugging Face checkpoint or USE-Lite TF.js package)", Required = true, HelpName = "DIR" };
        var corpus = new Option<string>("--corpus") { Description = "CoNLL-U file/folder (all five findings) or Brown folder (no Number: no translation)", Required = true, HelpName = "PATH" };
        var outOption = new Option<string>("--out") { Description = "Where the findings, report.html and the runs go", DefaultValueFactory = _ => defaults.OutputDir, HelpName = "DIR" };
        var sentences = new Option<int>("--sentences") { Description = "Sentences whose activations are analysed per task", DefaultValueFactory = _ => defaults.Sentences };
        var draws = new Option<int>("--draws") { Description = "Seeded random draws per baseline (at least 10 for a meaningful interval)", DefaultValueFactory = _ => defaults.Draws };
        var ks = new Option<int[]>("--ks") { Description = "Neuron counts k of the probe grid and the interventions; the table reads the largest", DefaultValueFactory = _ => [.. defaults.Ks], AllowMultipleArgumentsPerToken = true };
        var ablationSentences = new Option<int>("--ablation-sentences") { Description = "Held-out sentences scored by ablation", DefaultValueFactory = _ => defaults.AblationSentences };
        var translationItems = new Option<int>("--translation-items") { Description = "Agreement items translated (0: every item of the held-out split)", DefaultValueFactory = _ => defaults.TranslationItems };
        var numberMin = new Option<int>("--number-min-class-count") { Description = "Number classes (and translation's noun classes) with fewer training words are dropped", DefaultValueFactory = _ => defaults.NumberMinClassCount };
        var negNeurons = new Option<int>("--neg-neurons") { Description = "Neurons per prompt measured by empirical NEG", DefaultValueFactory = _ => defaults.NegNeurons };
        var layers = new Option<int[]?>("--layers") { Description = "Layers whose FFN neurons are analysed (default: all)", AllowMultipleArgumentsPerToken = true };
        var seed = new Option<int>("--seed") { Description = "Seed of splits, draws and tests", DefaultValueFactory = _ => defaults.Seed };
        var backend = BackendOption.Create();
        var isolation = new IsolationCliOptions();
        var command = new Command("reproduce", "Run the five seed findings (probe ≠ ranking, encoded ≠ used, ablation ordering, minimal sets across tasks, "
            + "NEG linearity and NeurGrad ≈ NEG) and print whether each holds on this model and corpus. " + IsolationCliOptions.ExitCodesHelp)
        {
            model, corpus, outOption, sentences, draws, ks, ablationSentences, translationItems, numberMin, negNeurons, layers, seed, backend,
        };
        isolation.AddTo(command);
        command.SetAction(parse =>
        {
            var o = new ReproduceOptions
            {
                ModelDir = parse.GetRequiredValue(model), CorpusPath = parse.GetRequiredValue(corpus), OutputDir = parse.GetRequiredValue(outOption),
                Sentences = parse.GetValue(sentences), Draws = parse.GetValue(draws), Ks = [.. parse.GetValue(ks) ?? []],
                AblationSentences = parse.GetValue(ablationSentences), TranslationItems = parse.GetValue(translationItems),
                NumberMinClassCount = parse.GetValue(numberMin), NegNeurons = parse.GetValue(negNeurons), Seed = parse.GetValue(seed),
                Layers = parse.GetValue(layers) is { Length: > 0 } l ? [.. l] : null,
                Backend = parse.GetValue(backend) ?? "",
            };
            return Run(cli, parse, o, isolation);
        });
        return command;
    }

    private static int Run(CliContext cli, ParseResult parse, ReproduceOptions o, IsolationCliOptions isolation)
    {
        if (o.Sentences < 100) throw new CliException("--sentences must be at least 100");
        if (o.Draws < 2) throw new CliException("--draws must be at least 2 (10 or more for a meaningful interval)");
        if (o.Ks.Count == 0 || o.Ks.Any(k => k < 1)) throw new CliException("--ks needs one or more neuron counts ≥ 1");
        if (!Directory.Exists(o.ModelDir)) throw new CliException($"--model '{o.ModelDir}': no such folder");
        if (!File.Exists(o.CorpusPath) && !Directory.Exists(o.CorpusPath)) throw new CliException($"--corpus '{o.CorpusPath}': no such file or folder");
        // The output folder is checked before the model is even opened: a wrong --out costs nothing.
        ReproduceRunner.CheckTarget(o.OutputDir);

        using var catalog = cli.LoadPlugins(parse);
        List<PlannedRun> plan;
        try { plan = ReproducePlan.Make(o, ModelKind.Of(o.ModelDir)); }
        catch (ConfigException e) { throw new CliException(e.Message, e); }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException) { throw new CliException($"--model '{o.ModelDir}': {e.Message}", e); }
        foreach (var run in plan.Where(r => r.Config is not null))
        {
            try { AnalysisConfigValidator.Validate(run.Config!, PluginDirectory.FromCatalog(catalog)); }
            catch (ConfigException e) { throw new CliException($"{run.Name}: {e.Message}", e); }
        }

        var runner = new ReproduceRunner(catalog) { Isolation = isolation.Read(parse, o.Backend) };
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        ReproduceResult result;
        try
        {
            result = CliProgress.Run(cli, parse, (progress, log) =>
            {
                runner.Log.Written += (level, message) => log(level == LogLevel.Warn ? $"warning: {message}" : message);
                return runner.Run(o, plan, progress, cts.Token);
            });
        }
        catch (Exception e) when (e is ConfigException or PipelineException) { throw new CliException(e.Message, e); }
        finally { Console.CancelKeyPress -= onCancel; }

        if (cli.Json(parse)) cli.WriteJson(parse, result);
        else Write(cli.Console(parse), result, Path.GetFullPath(o.OutputDir));
        if (result.Status == RunStatus.Cancelled) return 130;
        return result.PluginFailures > 0 ? IsolationCliOptions.PluginFailuresExitCode : 0;
    }

    private static void Write(IAnsiConsole console, ReproduceResult result, string outDir)
    {
        var table = new Table().Border(TableBorder.Simple).Expand();
        table.AddColumn("finding");
        table.AddColumn("paper's claim");
        table.AddColumn("our effect [[95% interval]]");
        table.AddColumn("verdict");
        foreach (var f in result.Findings)
        {
            string verdict = f.Verdict + (f.Verdict == Verdicts.Holds || f.Reason.Length == 0 ? "" : $" — {f.Reason}");
            table.AddRow(Markup.Escape($"({f.Id}) {f.Title}"), Markup.Escape($"{f.Claim} ({f.Paper})"), Markup.Escape(f.Effect), Markup.Escape(verdict));
        }
        console.Write(table);
        foreach (var r in result.Runs.Where(r => r.Status != RunStatus.Complete))
            console.MarkupLine(Markup.Escape($"{r.Name}: {r.Status}{(r.Reason is null ? "" : " — " + r.Reason)}"));
        console.MarkupLine(Markup.Escape($"Table and runs in {outDir} (report.html, findings.json)."));
    }
}
