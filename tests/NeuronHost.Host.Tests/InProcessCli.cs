using NeuronHost.Cli;

namespace NeuronHost.Host.Tests;

/// <summary>neuronhost run in-process on the built-in plugins (given with --plugins, since the
/// test binary has no plugins folder beside it), with stdout and stderr captured.</summary>
internal static partial class InProcessCli
{
    public static (int Code, string Out, string Err) RunWithBuiltInPlugins(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run([.. args, "--plugins", BuiltPluginsFixture.BuiltInPlugins], Program.Commands, output, error,
            new CliContext { OnlyCommandLinePlugins = true });
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Standard error without the timestamped progress lines ("[12:00:00] stage: …") that
    /// long commands print when it is not a terminal: what is left are the messages.</summary>
    public static string[] MessageLines(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !ProgressLine().IsMatch(l)).ToArray();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\[\d\d:\d\d:\d\d\] ")]
    private static partial System.Text.RegularExpressions.Regex ProgressLine();

    /// <summary>Asserts exit 0, showing both streams when it is not.</summary>
    public static void Ok((int Code, string Out, string Err) r) => Assert.True(r.Code == 0, $"exit {r.Code}\n{r.Out}\n{r.Err}");
}
