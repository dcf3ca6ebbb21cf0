using NeuronHost.Cli.Commands;
using NeuronHost.Cli.Commands.Cluster;

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
        new ReproduceCommand(),
        new CacheCommand(),
        new ClusterCommand(),
        new ReportCommand(),
        new TuiCommand(),
    ];

    /// <summary>No arguments: the interactive terminal UI.</summary>
    public static int Main(string[] args) => args is [PluginWorkerCommand.Name, "--pipe", var pipe, "--backend", var backend]
        // A plugin worker skips building the command tree: every worker start pays for that JIT.
        ? Core.Isolation.PluginWorkerServer.Run(pipe, backend)
        : CliApp.Run(args.Length == 0 ? ["tui"] : args, Commands);
}
