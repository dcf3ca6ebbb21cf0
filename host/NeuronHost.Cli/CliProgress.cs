using System.CommandLine;
using NeuronHost.Core.Pipeline;
using NeuronHost.Sdk;
using Spectre.Console;

namespace NeuronHost.Cli;

/// <summary>The one progress display of every long command. On an interactive terminal: live
/// bars (one per stage) with counts, the measured rate and the ETA. Otherwise (redirected, nohup,
/// CI): timestamped lines on standard error (<see cref="ProgressLines"/>), JSON lines with
/// <c>--json</c>; nothing with <c>--quiet</c>. Log lines of the work go through <see cref="Session.Log"/>
/// so that they do not tear the bars.</summary>
public static class CliProgress
{
    public static T Run<T>(CliContext cli, ParseResult parse, Func<IProgress<ProgressReport>, T> work) =>
        Run(cli, parse, (progress, _) => work(progress));

    /// <summary>As <see cref="Run{T}(CliContext, ParseResult, Func{IProgress{ProgressReport}, T})"/>, with a
    /// log-line writer for the work's messages.</summary>
    public static T Run<T>(CliContext cli, ParseResult parse, Func<IProgress<ProgressReport>, Action<string>, T> work)
    {
        var err = cli.Error(parse);
        void Log(string line) { lock (err) err.WriteLine(line); }
        if (cli.Quiet(parse)) return work(new CallbackProgress<ProgressReport>(_ => { }), Log);
        var console = cli.Console(parse);
        if (cli.Json(parse) || !console.Profile.Capabilities.Interactive)
        {
            using var lines = new ProgressLines(err, json: cli.Json(parse));
            return work(lines, Log);
        }
        return Bars(console).Start(ctx =>
        {
            void LogAbove(string line) { lock (console) console.MarkupLine(Markup.Escape(line)); }
            return work(new Reporter(ctx), LogAbove);
        });
    }

    private static Progress Bars(IAnsiConsole console) => console.Progress().AutoClear(false).HideCompleted(false)
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn());

    /// <summary>Synchronous (no SynchronizationContext hop), thread-safe: plugins may report
    /// from Parallel.For bodies. Rate and ETA come from <see cref="ProgressTracker"/> (measured only).</summary>
    private sealed class Reporter(ProgressContext context) : IProgress<ProgressReport>
    {
        private readonly Dictionary<string, ProgressTask> tasks = [];
        private readonly ProgressTracker tracker = new();

        public void Report(ProgressReport value)
        {
            var p = tracker.Update(value);
            lock (tasks)
            {
                if (!tasks.TryGetValue(value.Stage, out var task))
                    tasks[value.Stage] = task = context.AddTask(Markup.Escape(value.Stage), maxValue: Math.Max(value.Total, 1e-9));
                if (value.Total > 0) task.MaxValue = value.Total;
                task.Value = Math.Min(value.Done, task.MaxValue);
                string amount = value.Unit.Length > 0 ? $" {ProgressTracker.FormatCount(value.Done)}/{ProgressTracker.FormatCount(value.Total)} {value.Unit}" : "";
                string rate = p.Rate > 0 && !p.Finished ? $", {ProgressTracker.FormatRate(p.Rate, p.Unit)}" : "";
                string eta = p.Eta is { } e && !p.Finished ? $", ETA {ProgressTracker.FormatDuration(e)}" : "";
                task.Description = Markup.Escape($"{value.Stage}{amount}{rate}{eta}");
            }
        }
    }
}
