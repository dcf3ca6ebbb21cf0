using NeuronHost.Cli.Commands;

namespace NeuronHost.Cli;

public static class Program
{
    /// <summary>Every top-level command, one file each under Commands/. Add yours here.</summary>
    public static IReadOnlyList<ICliCommand> Commands { get; } =
    [
        new PluginsCommand(),
        new TokenizeCommand(),
        new PredictCommand(),
        new DevicesCommand(),
        new BenchCommand(),
        new DemoCommand(),
        new ExtractCommand(),
        new ExportCommand(),
        new StoreCommand(),
        new RankCommand(),
        new PluginWorkerCommand(),
        new RunCommand(),
        new CacheCommand(),
        new ReportCommand(),
        new TuiCommand(),
    ];

    /// <summary>No arguments: the interactive terminal UI.</summary>
    public static int Main(string[] args) => CliApp.Run(args.Length == 0 ? ["tui"] : args, Commands);
}
