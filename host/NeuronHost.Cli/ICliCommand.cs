using System.CommandLine;

namespace NeuronHost.Cli;

/// <summary>A top-level command of <c>neuronhost</c>. Put one per file in Commands/ and add it
/// to the list in Program.cs; <see cref="Build"/> returns the System.CommandLine command (with
/// its subcommands, arguments and action). The global options (--plugins, --json, --verbose)
/// are inherited, read them through <see cref="CliContext"/>.</summary>
public interface ICliCommand
{
    Command Build(CliContext cli);
}

/// <summary>A mistake of the user's (unknown name, missing file): shown as "error: message"
/// and exit code 1, never with a stack trace.</summary>
public sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);
