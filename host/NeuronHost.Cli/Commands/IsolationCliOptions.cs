using System.CommandLine;
using NeuronHost.Core.Isolation;

namespace NeuronHost.Cli.Commands;

/// <summary>The options of commands that run plugins: <c>--plugin-timeout</c>,
/// <c>--in-process</c>, <c>--plugin-memory</c>; and the exit code of a run that completed with
/// plugin failures.</summary>
public sealed class IsolationCliOptions
{
    /// <summary>Exit code: the command completed and saved its results, but one or more plugins
    /// failed (named on stderr, in results.json / grid.json and in the report).</summary>
    public const int PluginFailuresExitCode = 4;

    public Option<double?> Timeout { get; } = new("--plugin-timeout")
    {
        Description = "Stop a plugin call (a ranking, one probe training, an intervention) after this many seconds and record it as failed",
        HelpName = "SECONDS",
    };

    public Option<bool> InProcess { get; } = new("--in-process")
    {
        Description = "Run plugins inside the host (debugging): a crash, stack overflow or Environment.Exit in a plugin then ends the host",
    };

    public Option<long?> MemoryMb { get; } = new("--plugin-memory")
    {
        Description = "GC heap limit of each plugin worker process, in MiB",
        HelpName = "MIB",
    };

    public void AddTo(Command command)
    {
        command.Add(Timeout);
        command.Add(InProcess);
        command.Add(MemoryMb);
    }

    public IsolationOptions Read(ParseResult parse, string backend)
    {
        double? seconds = parse.GetValue(Timeout);
        if (seconds is <= 0) throw new CliException($"--plugin-timeout must be a positive number of seconds, not {seconds}");
        long? mb = parse.GetValue(MemoryMb);
        if (mb is <= 0) throw new CliException($"--plugin-memory must be a positive number of MiB, not {mb}");
        return new IsolationOptions
        {
            InProcess = parse.GetValue(InProcess),
            Timeout = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
            WorkerMemoryMb = mb,
            Backend = backend,
        };
    }

    public const string ExitCodesHelp = "Exit codes: 0 done; 1 error (nothing saved); " +
        "4 done with plugin failures (results saved; failed plugins named); 130 cancelled (finished results saved).";
}
