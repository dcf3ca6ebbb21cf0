using System.CommandLine;
using NeuronHost.Core.Isolation;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost plugin-worker --pipe NAME</c> (hidden): the worker process the host
/// starts for each isolated plugin run; it talks to the host over the named pipe only.</summary>
public sealed class PluginWorkerCommand : ICliCommand
{
    public const string Name = "plugin-worker";

    public Command Build(CliContext cli)
    {
        var pipe = new Option<string>("--pipe") { Description = "Pipe the host listens on", Required = true };
        var backend = new Option<string?>("--backend") { Description = "Kernel backend to create while waiting for the plugin" };
        var command = new Command(Name, "Internal: runs one plugin for a host process") { pipe, backend };
        command.Hidden = true;
        command.SetAction(parse => PluginWorkerServer.Run(parse.GetRequiredValue(pipe), parse.GetValue(backend)));
        return command;
    }
}
