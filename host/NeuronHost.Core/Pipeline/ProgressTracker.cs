using System.Diagnostics;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>Per-stage progress with rate and ETA, from the stream of <see cref="ProgressReport"/>s.
/// Thread-safe; displays (the log printer, the TUI) read <see cref="Snapshot"/>.</summary>
public sealed class ProgressTracker
{
    public sealed record StageProgress(string Stage, double Done, double Total, string Unit, double Rate, TimeSpan? Eta, TimeSpan Elapsed)
    {
        public double Fraction => Total > 0 ? Math.Clamp(Done / Total, 0, 1) : 0;
        public bool Finished => Total > 0 && Done >= Total;
    }

    private readonly object gate = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<string> order = [];
    private readonly Dictionary<string, (ProgressReport Last, double StartTime, double StartDone, double LastTime)> stages = [];

    /// <summary>Records a report; returns the stage's updated state.</summary>
    public StageProgress Update(ProgressReport r)
    {
        lock (gate)
        {
            double now = clock.Elapsed.TotalSeconds;
            if (!stages.TryGetValue(r.Stage, out var s))
            {
                order.Add(r.Stage);
                s = (r, now, r.Done, now);
            }
            // A stage that starts over (a new total) restarts its clock.
            if (r.Total != s.Last.Total || r.Done < s.Last.Done) s = (r, now, r.Done, now);
            stages[r.Stage] = (r, s.StartTime, s.StartDone, now);
            return Describe(r.Stage);
        }
    }

    public IReadOnlyList<StageProgress> Snapshot()
    {
        lock (gate) return order.Select(Describe).ToList();
    }

    private StageProgress Describe(string stage)
    {
        var (last, start, startDone, lastTime) = stages[stage];
        double elapsed = Math.Max(lastTime - start, 0);
        double rate = elapsed > 0.05 ? (last.Done - startDone) / elapsed : 0;
        TimeSpan? eta = rate > 0 && last.Total > last.Done ? TimeSpan.FromSeconds((last.Total - last.Done) / rate) : null;
        return new StageProgress(stage, last.Done, last.Total, last.Unit, rate, eta, TimeSpan.FromSeconds(elapsed));
    }

    public static string FormatDuration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s" : $"{t.TotalSeconds:0}s";

    public static string FormatCount(double v) =>
        v >= 1e6 ? $"{v / 1e6:0.0}M" : v >= 1e4 ? $"{v / 1e3:0}k" : v >= 1e3 ? $"{v / 1e3:0.0}k" : $"{v:0}";
}
