using System.Text.RegularExpressions;
using NeuronHost.Cli;

namespace NeuronHost.Fuzz.Tests.Support;

/// <summary>The one rule every fuzz case is held to: the loader either succeeds (and the case's
/// own success check holds) or throws one of NeuronHost's deliberate error types whose one-line
/// message names the file, shows no framework exception type and fits on a terminal line; and it
/// does so within 30 s.</summary>
public static partial class Outcome
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [GeneratedRegex(@"\b(System\.)?[A-Z][A-Za-z]*Exception\b")]
    private static partial Regex ExceptionTypeName();

    /// <returns>null on success, else the error line the CLI would print.</returns>
    public static string? CleanErrorOrSuccess(Action load, string fileToName, Action? checkSuccess = null)
    {
        Exception? error = null;
        var task = Task.Run(() =>
        {
            try { load(); }
            catch (Exception e) { error = e; }
        });
        Assert.True(task.Wait(Timeout), $"hang: no answer within {Timeout.TotalSeconds} s for {fileToName}");
        if (error is null)
        {
            checkSuccess?.Invoke();
            return null;
        }
        AssertClean(error, fileToName);
        return CliApp.Describe(error);
    }

    /// <summary>Like <see cref="CleanErrorOrSuccess"/>, but the case must be refused.</summary>
    public static string MustFail(Action load, string fileToName, string? mentioning = null)
    {
        var line = CleanErrorOrSuccess(load, fileToName);
        Assert.True(line is not null, $"accepted silently: {fileToName}" + (mentioning is null ? "" : $" (expected an error about {mentioning})"));
        if (mentioning is not null) Assert.Contains(mentioning, line, StringComparison.OrdinalIgnoreCase);
        return line!;
    }

    public static void AssertClean(Exception error, string fileToName)
    {
        string line = CliApp.Describe(error);
        Assert.True(CliApp.IsExpected(error), $"not a deliberate error: {error.GetType().FullName}: {error.Message}\n{error.StackTrace}");
        Assert.DoesNotMatch(ExceptionTypeName(), line);
        Assert.Contains(Path.GetFileName(Path.TrimEndingDirectorySeparator(fileToName)), line, StringComparison.Ordinal);
        Assert.True(line.Length <= 2 * NeuronHost.Core.Text.TerminalText.MaxLineLength, $"error line of {line.Length} characters");
        Assert.DoesNotContain('\u001b', line);
        Assert.DoesNotContain('\n', line);
    }

    /// <summary>An error line as printed by the CLI: exactly one line on stderr, naming the file.</summary>
    public static void AssertCliError(ChildRun run, string fileToName)
    {
        Assert.False(run.TimedOut, $"hang: the CLI did not finish within {Timeout.TotalSeconds} s\n{run.Stderr}");
        Assert.True(run.PeakRssBytes < ChildRun.RssLimit, $"peak RSS {run.PeakRssBytes / (1 << 20)} MB over the 1 GB cap\n{run.Stderr}");
        Assert.Equal(1, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var errors = lines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"expected one error line, got:\n{run.Stderr}");
        Assert.Contains(Path.GetFileName(Path.TrimEndingDirectorySeparator(fileToName)), errors[0], StringComparison.Ordinal);
        Assert.DoesNotMatch(ExceptionTypeName(), run.Stderr);
        Assert.DoesNotContain("--verbose shows where", run.Stderr, StringComparison.Ordinal);
    }
}
