using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using NeuronHost.Core.Plugins;
using Spectre.Console;

namespace NeuronHost.Cli;

/// <summary>What every command shares: the global options and helpers to read them, to load the
/// plugin catalog, and to write tables, JSON and messages to the invocation's output (so tests
/// can capture it).</summary>
public sealed class CliContext
{
    /// <summary><c>--plugins DIR</c>, repeatable: extra plugin folders (after the built-in one,
    /// the config file and NEURONHOST_PLUGINS).</summary>
    public Option<string[]> PluginsOption { get; } = new("--plugins")
    {
        Description = "Also load plugins from DIR (a folder of plugin folders, or one plugin .dll); repeatable",
        HelpName = "DIR",
        Recursive = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary><c>--json</c>: write machine-readable JSON to standard output instead of tables.</summary>
    public Option<bool> JsonOption { get; } = new("--json")
    {
        Description = "Write JSON to standard output instead of tables",
        Recursive = true,
    };

    /// <summary><c>--quiet</c>: no progress display (results and errors are still written).</summary>
    public Option<bool> QuietOption { get; } = new("--quiet")
    {
        Description = "Show no progress (results and errors are still written)",
        Recursive = true,
    };

    /// <summary><c>--verbose</c>: show stack traces of errors.</summary>
    public Option<bool> VerboseOption { get; } = new("--verbose")
    {
        Description = "Show the full exception (with stack trace) when a command fails",
        Recursive = true,
    };

    /// <summary>Skip the built-in folder, the config file and NEURONHOST_PLUGINS (tests).</summary>
    public bool OnlyCommandLinePlugins { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public bool Json(ParseResult parse) => parse.GetValue(JsonOption);
    public bool Verbose(ParseResult parse) => parse.GetValue(VerboseOption);
    public bool Quiet(ParseResult parse) => parse.GetValue(QuietOption);
    public IReadOnlyList<string> PluginFolders(ParseResult parse) => parse.GetValue(PluginsOption) ?? [];

    public TextWriter Out(ParseResult parse) => parse.InvocationConfiguration.Output;
    public TextWriter Error(ParseResult parse) => parse.InvocationConfiguration.Error;

    /// <summary>Loads the plugins (built-in, config, environment, --plugins). When
    /// <paramref name="reportErrors"/> is set, a one-line note about plugins that failed to load
    /// goes to standard error (their details are in <c>plugins list</c>).</summary>
    public PluginCatalog LoadPlugins(ParseResult parse, bool reportErrors = true)
    {
        var catalog = OnlyCommandLinePlugins
            ? PluginCatalog.Load(PluginFolders(parse))
            : PluginCatalog.LoadDefault(PluginFolders(parse));
        if (reportErrors && catalog.Errors.Count > 0)
            Error(parse).WriteLine($"note: {catalog.Errors.Count} plugin problem(s); run 'neuronhost plugins list' to see them");
        return catalog;
    }

    /// <summary>The plugins of the same folders as <see cref="LoadPlugins"/>, read from their
    /// metadata without loading or running them (plugins list, plugins show).</summary>
    public PluginListing ListPlugins(ParseResult parse) => OnlyCommandLinePlugins
        ? PluginListing.Read(PluginFolders(parse))
        : PluginListing.ReadDefault(PluginFolders(parse));

    /// <summary>A Spectre console over the invocation's output: colours only on a real terminal,
    /// wide lines when redirected.</summary>
    public IAnsiConsole Console(ParseResult parse)
    {
        var writer = Out(parse);
        bool terminal = ReferenceEquals(writer, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 400; // redirected: do not wrap lines
        return console;
    }

    /// <summary>A repeatable <c>--param NAME=VALUE</c> option (alias <c>-p</c>) for commands that
    /// run a plugin; read it with <see cref="ParameterValues"/> and pass the result to
    /// <c>PluginCatalog.Create</c>.</summary>
    public static Option<string[]> CreateParameterOption(string description = "Set a plugin parameter (see 'plugins show NAME'); repeatable") =>
        new("--param", "-p")
        {
            Description = description,
            HelpName = "NAME=VALUE",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };

    /// <summary>The NAME=VALUE pairs of a <see cref="CreateParameterOption"/> option; a
    /// <see cref="CliException"/> for a pair without '='.</summary>
    public static IReadOnlyDictionary<string, string> ParameterValues(ParseResult parse, Option<string[]> option)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in parse.GetValue(option) ?? [])
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new CliException($"{option.Name} '{pair}' is not NAME=VALUE");
            result[pair[..eq].Trim()] = pair[(eq + 1)..];
        }
        return result;
    }

    public void WriteJson<T>(ParseResult parse, T value) =>
        Out(parse).WriteLine(JsonSerializer.Serialize(value, JsonOptions));
}
