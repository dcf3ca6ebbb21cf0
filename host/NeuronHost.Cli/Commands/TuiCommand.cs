using System.CommandLine;
using NeuronHost.Cli.Tui;
using NeuronHost.Core.Config;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Reports;
using Spectre.Console;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost tui</c> (also <c>neuronhost</c> alone): choose model, corpus, task,
/// layers and plugins from lists, watch the run live, browse the results, save the choices as
/// analysis.yaml for <c>neuronhost run</c>. Needs a terminal on stdin and stdout.</summary>
public sealed class TuiCommand : ICliCommand
{
    public const string NotATerminal =
        "neuronhost tui needs an interactive terminal; for scripts and logs use the batch mode: neuronhost run analysis.yaml";

    public Command Build(CliContext cli)
    {
        var models = new Option<string[]>("--model-root") { Description = "Offer the model folders in DIR (repeatable; default ./models, ../shared/models)", HelpName = "DIR", Arity = ArgumentArity.ZeroOrMore };
        var corpora = new Option<string[]>("--corpus-root") { Description = "Offer the .conllu files in DIR (repeatable; default ./corpora, ../shared/corpora)", HelpName = "DIR", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("tui", "Interactive terminal UI: pick model, corpus, task, layers and plugins, watch the run, browse the results");
        command.Add(models);
        command.Add(corpora);
        command.SetAction(parse => Run(cli, parse, parse.GetValue(models) ?? [], parse.GetValue(corpora) ?? []));
        return command;
    }

    private static int Run(CliContext cli, ParseResult parse, string[] modelRoots, string[] corpusRoots)
    {
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            cli.Error(parse).WriteLine(NotATerminal);
            return 2;
        }
        var console = AnsiConsole.Console;
        using var catalog = cli.LoadPlugins(parse);
        console.Write(new Rule("[bold]NeuronHost[/] · find the neurons that carry a property").LeftJustified());
        var wizard = new SetupWizard(console, catalog, AssetDiscovery.ModelRoots(modelRoots), AssetDiscovery.CorpusRoots(corpusRoots));
        var config = wizard.Ask();
        try { AnalysisConfigValidator.Validate(config, PluginDirectory.FromCatalog(catalog)); }
        catch (ConfigException e) { throw new CliException(e.Message, e); }

        console.Clear();
        console.MarkupLine($"[bold]Ready:[/] {Markup.Escape(config.Task.Name)} on layers {string.Join(",", config.Layers)} ({Markup.Escape(config.Hook)}) of " +
            $"{Markup.Escape(Path.GetFileName(config.ModelDir.TrimEnd('/')))}, {Markup.Escape(Path.GetFileName(config.Corpus.Path))}" +
            (config.Corpus.MaxSentences is int m ? $" (first {m} sentences)" : ""));
        console.MarkupLine($"rankings: {Markup.Escape(Names(config.Rankings))} · probes: {Markup.Escape(Names(config.Probes))} · interventions: {Markup.Escape(Names(config.Interventions))}");
        const string RunIt = "Run", SaveRun = "Save as analysis.yaml, then run", SaveOnly = "Save as analysis.yaml (do not run)", Quit = "Quit";
        var action = console.Prompt(new SelectionPrompt<string>().Title("Start?").AddChoices(RunIt, SaveRun, SaveOnly, Quit));
        if (action == Quit) return 0;
        if (action is SaveRun or SaveOnly) ResultsBrowser.SaveYaml(console, config);
        if (action == SaveOnly) return 0;

        console.Clear();
        RunResults results;
        try { results = new LiveRunView(console, new AnalysisPipeline(catalog)).Run(config); }
        catch (Exception e) when (e is PipelineException or ConfigException) { throw new CliException(e.Message, e); }
        new ResultsBrowser(console, results, config).Show();
        return results.Status == RunStatus.Cancelled ? 130 : 0;
    }

    private static string Names(List<PluginUse> uses) => uses.Count == 0 ? "none" : string.Join(", ", uses.Select(u => u.DisplayName));
}
