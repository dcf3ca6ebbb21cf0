using System.Globalization;
using System.Text.Json;
using NeuronHost.Core.Pipeline;
using NeuronHost.Sdk;

namespace NeuronHost.Cli;

/// <summary>Progress for logs (redirected output: nohup, CI, Slurm): a timestamped line when a
/// stage starts, at most every <see cref="Interval"/> while it runs, at least every
/// <see cref="Heartbeat"/> even when no report arrives, and when it ends — with counts, the
/// measured rate and the ETA. With <c>json</c> each line is a JSON object instead.</summary>
public sealed class ProgressLines : IProgress<ProgressReport>, IDisposable
{
    private readonly TextWriter output;
    private readonly bool json;
    private readonly ProgressTracker tracker = new();
    private readonly Dictionary<string, DateTime> lastPrinted = [];
    private readonly HashSet<string> finished = [];
    private readonly object gate = new();
    private readonly Timer timer;
    private DateTime lastLine = DateTime.UtcNow;
    private (string Numbers, DateTime At) previous;
    private readonly Func<DateTime> now;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(10);

    public ProgressLines(TextWriter output, bool json = false, Func<DateTime>? clock = null)
    {
        this.output = output;
        this.json = json;
        now = clock ?? (() => DateTime.UtcNow);
        timer = new Timer(_ => Beat(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Report(ProgressReport value)
    {
        var p = tracker.Update(value);
        lock (gate)
        {
            var t = now();
            bool first = !lastPrinted.TryGetValue(p.Stage, out var last);
            if (p.Finished && !finished.Add(p.Stage)) return;
            if (!p.Finished && !first && t - last < Interval) return;
            if (!p.Finished) finished.Remove(p.Stage);
            // A stage that mirrors another's numbers in the same instant (the pipeline's stage
            // over the grid's) would print the same line twice.
            string numbers = $"{p.Done}/{p.Total}/{p.Unit}/{p.Finished}";
            if (previous.Numbers == numbers && t - previous.At < TimeSpan.FromMilliseconds(200)) { lastPrinted[p.Stage] = t; return; }
            previous = (numbers, t);
            Print(p, t);
        }
    }

    /// <summary>Every second: when nothing was printed for <see cref="Heartbeat"/>, the running stages' state.</summary>
    private void Beat()
    {
        lock (gate)
        {
            var t = now();
            if (t - lastLine < Heartbeat) return;
            var printed = new HashSet<string>();
            foreach (var p in tracker.Running().Where(s => !finished.Contains(s.Stage)))
                if (printed.Add($"{p.Done}/{p.Total}/{p.Unit}")) Print(p, t);
        }
    }

    private void Print(ProgressTracker.StageProgress p, DateTime t)
    {
        lastPrinted[p.Stage] = t;
        lastLine = t;
        output.WriteLine(json ? Json(p, t) : $"[{t.ToLocalTime():HH:mm:ss}] {Format(p)}");
        output.Flush();
    }

    public static string Format(ProgressTracker.StageProgress p)
    {
        bool counted = p.Unit.Length > 0 || p.Total > 1;
        string amount = counted ? $" {ProgressTracker.FormatCount(p.Done)}/{ProgressTracker.FormatCount(p.Total)} {p.Unit}".TrimEnd() : "";
        if (p.Finished)
        {
            string average = counted && p.AverageRate is { } a ? $", {ProgressTracker.FormatRate(a, p.Unit)}" : "";
            return $"{p.Stage}: done,{amount} in {ProgressTracker.FormatDuration(p.Elapsed)}{average}".Replace("done, in", "done in");
        }
        string rate = counted && p.Rate > 0 ? $", {ProgressTracker.FormatRate(p.Rate, p.Unit)}" : "";
        string eta = p.Eta is { } e ? $", ETA {ProgressTracker.FormatDuration(e)}" : "";
        return $"{p.Stage}: {p.Fraction * 100:0}%{amount}{rate}{eta}, {ProgressTracker.FormatDuration(p.Elapsed)} elapsed";
    }

    private static string Json(ProgressTracker.StageProgress p, DateTime t) => JsonSerializer.Serialize(new
    {
        time = t.ToString("o", CultureInfo.InvariantCulture),
        stage = p.Stage,
        done = p.Done,
        total = p.Total,
        unit = p.Unit,
        finished = p.Finished,
        rate = p.Rate > 0 ? p.Rate : (double?)null,
        etaSeconds = p.Eta?.TotalSeconds,
        elapsedSeconds = p.Elapsed.TotalSeconds,
    });

    public void Dispose() => timer.Dispose();
}
