using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using NeuronHost.Core.Analysis;
using NeuronHost.Core.Config;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Plugins;
using NeuronHost.Core.Text;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Store;
using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;

namespace NeuronHost.Cli;

/// <summary>Builds the <c>neuronhost</c> root command from the command list and runs it: exit
/// code 0 on success, 1 on an error (shown as one terminal-safe "error: …" line; --verbose adds
/// the original exception with its stack trace), 130 when cancelled.</summary>
public static class CliApp
{
    /// <summary>"0.1.0" — the CLI's informational version without the source revision.</summary>
    public static string Version
    {
        get
        {
            var assembly = typeof(CliApp).Assembly;
            var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
            int plus = version.IndexOf('+');
            return plus < 0 ? version : version[..plus];
        }
    }

    public static RootCommand BuildRoot(IEnumerable<ICliCommand> commands, CliContext cli)
    {
        var root = new RootCommand(
            "NeuronHost: find, test and edit the neurons of transformer language models that carry " +
            "linguistic properties, with ranking, probe and intervention plugins.");
        root.Add(cli.PluginsOption);
        root.Add(cli.JsonOption);
        root.Add(cli.VerboseOption);
        root.Add(cli.QuietOption);
        foreach (var option in root.Options)
            if (option is VersionOption version) version.Action = new VersionAction();
        foreach (var command in commands) root.Add(command.Build(cli));
        root.SetAction(ShowHelp);
        return root;
    }

    /// <summary>Parses and runs; writes to the given writers (the console by default).</summary>
    public static int Run(string[] args, IEnumerable<ICliCommand> commands, TextWriter? output = null, TextWriter? error = null,
        CliContext? cli = null)
    {
        cli ??= new CliContext();
        var root = BuildRoot(commands, cli);
        var config = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        };
        if (args.Length > 0 && !args[0].StartsWith('-') && root.Subcommands.All(c => c.Name != args[0] && !c.Aliases.Contains(args[0])))
        {
            config.Error.WriteLine(UnknownCommand(args[0], root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList()));
            return 1;
        }
        if (Commands.BenchCommand.IsForwarded(args))
        {
            try { return Commands.BenchCommand.Forward(args[1..], config.Output, config.Error); }
            catch (CliException e) { config.Error.WriteLine($"error: {e.Message}"); return 1; }
        }
        var parse = root.Parse(args);
        try
        {
            return parse.Invoke(config);
        }
        catch (OperationCanceledException)
        {
            config.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e)
        {
            bool verbose = parse.GetValue(cli.VerboseOption);
            config.Error.WriteLine($"error: {Describe(e)}");
            if (verbose) config.Error.WriteLine(e.ToString());
            return 1;
        }
    }

    /// <summary>The message of an exception on one terminal-safe line, without its class name (a
    /// researcher cannot act on "IOException"); an unexpected one says so and points to --verbose,
    /// which prints the exception with its type and stack trace.</summary>
    public static string Describe(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) e = aggregate.InnerExceptions[0];
        var message = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        message = TerminalText.Safe(message);
        return IsExpected(e) ? message : $"{message} (unexpected; --verbose shows where)";
    }

    /// <summary>"error: unknown command 'rnak' — did you mean 'rank'? (commands: …)".</summary>
    public static string UnknownCommand(string name, IReadOnlyList<string> commands)
    {
        var nearest = commands.Select(c => (Name: c, Distance: EditDistance(name.ToLowerInvariant(), c))).OrderBy(x => x.Distance).FirstOrDefault();
        string hint = nearest.Name is not null && nearest.Distance <= Math.Max(2, name.Length / 3) ? $" — did you mean '{nearest.Name}'?" : "";
        return $"error: unknown command '{name}'{hint} (commands: {string.Join(", ", commands)}; 'neuronhost --help' describes them)";
    }

    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    /// <summary>The errors NeuronHost raises on purpose (bad input, named file/key/line): shown
    /// without the "unexpected" suffix. A wrapper is expected when what it wraps is.</summary>
    public static bool IsExpected(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => IsExpected(a.InnerExceptions[0]),
        PipelineException { InnerException: { } inner } => IsExpected(inner),
        CliException { InnerException: { } inner } => IsExpected(inner),
        CliException or PluginException or PluginInputException or FileNotFoundException or DirectoryNotFoundException
            or ModelLoadException or TokenizerFileException or CorpusFormatException or StoreFormatException
            or StoreMismatchException or StoreBusyException or ConfigException or GridException
            or NeuronHost.Data.Output.OutputFolderException or NeuronHost.Cluster.ClusterException => true,
        _ => false,
    };

    /// <summary>Commands that only group subcommands show their help when run alone.</summary>
    public static int ShowHelp(ParseResult parse)
    {
        var help = new System.CommandLine.Help.HelpAction();
        return help.Invoke(parse);
    }

    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"neuronhost {Version} (plugin SDK {SdkVersion.Major}.{SdkVersion.Minor})");
            return 0;
        }
    }
}
