using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Cli;

/// <summary>Builds the <c>neuronhost</c> root command from the command list and runs it: exit
/// code 0 on success, 1 on an error (shown as one "error: …" line; --verbose adds the stack
/// trace), 130 when cancelled.</summary>
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

    /// <summary>The message of an exception on one line, without its class name; for unexpected
    /// exceptions a pointer to --verbose.</summary>
    public static string Describe(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) e = aggregate.InnerExceptions[0];
        var message = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return e is CliException or PluginException or PluginInputException or FileNotFoundException or DirectoryNotFoundException
            ? message
            : e is FormatException ? message : $"{message} (--verbose shows where)";
    }

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
