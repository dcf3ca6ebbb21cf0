using System.CommandLine;
using NeuronHost.Sdk;
using Spectre.Console;

namespace NeuronHost.Cli;

/// <summary>Draws the <see cref="ProgressReport"/>s of long work as Spectre progress bars (one per
/// stage) on an interactive terminal; elsewhere (redirected, --json, tests) reports are dropped.</summary>
public static class CliProgress
{
    public static T Run<T>(CliContext cli, ParseResult parse, Func<IProgress<ProgressReport>, T> work)
    {
        var console = cli.Console(parse);
        if (cli.Json(parse) || !console.Profile.Capabilities.Interactive)
            return work(new Progress<ProgressReport>());
        return Bars(console).Start(ctx => work(new Reporter(ctx)));
    }

    public static Task<T> RunAsync<T>(CliContext cli, ParseResult parse, Func<IProgress<ProgressReport>, Task<T>> work)
    {
        var console = cli.Console(parse);
        if (cli.Json(parse) || !console.Profile.Capabilities.Interactive)
            return work(new Progress<ProgressReport>());
        return Bars(console).StartAsync(ctx => work(new Reporter(ctx)));
    }

    private static Progress Bars(IAnsiConsole console) => console.Progress().AutoClear(false).HideCompleted(false)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn());

    /// <summary>Synchronous (no SynchronizationContext hop), thread-safe: plugins may report
    /// from Parallel.For bodies.</summary>
    private sealed class Reporter(ProgressContext context) : IProgress<ProgressReport>
    {
        private readonly Dictionary<string, ProgressTask> tasks = [];

        public void Report(ProgressReport value)
        {
            lock (tasks)
            {
                if (!tasks.TryGetValue(value.Stage, out var task))
                    tasks[value.Stage] = task = context.AddTask(Markup.Escape(value.Stage), maxValue: Math.Max(value.Total, 1e-9));
                if (value.Total > 0) task.MaxValue = value.Total;
                task.Value = Math.Min(value.Done, task.MaxValue);
                if (value.Unit.Length > 0)
                    task.Description = Markup.Escape($"{value.Stage} ({value.Done:0}/{value.Total:0} {value.Unit})");
            }
        }
    }
}
