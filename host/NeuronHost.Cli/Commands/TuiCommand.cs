using System.CommandLine;
using NeuronHost.Cli.Tui.Models;
using NeuronHost.Cli.Tui.Views;
using Terminal.Gui.App;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost tui</c> (also <c>neuronhost</c> alone): the Terminal.Gui application —
/// Setup, Run and Results views over the same pipeline the batch <c>run</c> uses. Needs a
/// terminal on stdin and stdout.</summary>
public sealed class TuiCommand : ICliCommand
{
    public const string NotATerminal =
        "neuronhost tui needs an interactive terminal; for scripts and logs use the batch mode: neuronhost run analysis.yaml";

    public Command Build(CliContext cli)
    {
        var models = new Option<string[]>("--model-root") { Description = "Offer the model folders in DIR (repeatable; default ./models, ../shared/models, and the npm cache)", HelpName = "DIR", Arity = ArgumentArity.ZeroOrMore };
        var corpora = new Option<string[]>("--corpus-root") { Description = "Offer the corpora in DIR (repeatable; default ./corpora, ../shared/corpora, and the npm cache)", HelpName = "DIR", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("tui", "Interactive terminal UI: set up an analysis, watch it run, browse the results");
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
        using var catalog = cli.LoadPlugins(parse);
        var npm = AssetDiscovery.NpmRoots();
        var models = AssetDiscovery.Models(AssetDiscovery.ModelRoots(modelRoots).Concat(npm));
        var corpora = AssetDiscovery.Corpora(AssetDiscovery.CorpusRoots(corpusRoots).Concat(npm));
        using IApplication app = Application.Create();
        app.Init();
        using var shell = new TuiShell(app, catalog, models, corpora);
        app.Run(shell);
        return 0;
    }
}
