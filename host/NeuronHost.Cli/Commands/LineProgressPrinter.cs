using NeuronHost.Core.Pipeline;
using NeuronHost.Sdk;

namespace NeuronHost.Cli.Commands;

/// <summary>Progress for logs: one plain line per stage update, at most every
/// <see cref="Interval"/> per stage (and always when a stage finishes), with rate and ETA.</summary>
public sealed class LineProgressPrinter(TextWriter output) : IProgress<ProgressReport>
{
    private readonly ProgressTracker tracker = new();
    private readonly Dictionary<string, DateTime> lastPrinted = [];
    private readonly object gate = new();
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    public void Report(ProgressReport value)
    {
        var p = tracker.Update(value);
        lock (gate)
        {
            var now = DateTime.UtcNow;
            bool first = !lastPrinted.TryGetValue(p.Stage, out var last);
            if (!first && !p.Finished && now - last < Interval) return;
            if (!first && p.Finished && lastPrinted.ContainsKey(p.Stage + "\0done")) return;
            lastPrinted[p.Stage] = now;
            if (p.Finished) lastPrinted[p.Stage + "\0done"] = now;
            output.WriteLine(Format(p));
            output.Flush();
        }
    }

    public static string Format(ProgressTracker.StageProgress p)
    {
        string amount = p.Total > 1 || p.Unit.Length > 0
            ? $"{ProgressTracker.FormatCount(p.Done)}/{ProgressTracker.FormatCount(p.Total)} {p.Unit}".TrimEnd()
            : "";
        string rate = p.Rate > 0 && !p.Finished ? $", {ProgressTracker.FormatCount(p.Rate)} {p.Unit}/s" : "";
        string eta = p.Eta is { } e && !p.Finished ? $", ETA {ProgressTracker.FormatDuration(e)}" : "";
        string done = p.Finished ? $" done in {ProgressTracker.FormatDuration(p.Elapsed)}" : "";
        return $"[{p.Stage}] {p.Fraction * 100,3:0}% {amount}{rate}{eta}{done}".TrimEnd();
    }
}
