using System.CommandLine;
using NeuronHost.Core.Isolation;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost plugin-worker --pipe NAME</c> (hidden): the worker process the host
/// starts for each isolated plugin run; it talks to the host over the named pipe only.</summary>
public sealed class PluginWorkerCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var pipe = new Option<string>("--pipe") { Description = "Pipe the host listens on", Required = true };
        var command = new Command("plugin-worker", "Internal: runs one plugin for a host process") { pipe };
        command.Hidden = true;
        command.SetAction(parse => PluginWorkerServer.Run(parse.GetRequiredValue(pipe)));
        return command;
    }
}
