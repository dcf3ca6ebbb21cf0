using System.Diagnostics;
using System.Globalization;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>Per-stage progress with rate and ETA, from the stream of <see cref="ProgressReport"/>s.
/// Thread-safe; displays (the CLI's bars and log lines, the TUI) read <see cref="Snapshot"/>.
/// Rate and ETA are measured only: no ETA until the stage has advanced at least
/// <see cref="MinimumSteps"/> times over at least <see cref="MinimumSeconds"/>.</summary>
public sealed class ProgressTracker
{
    public sealed record StageProgress(string Stage, double Done, double Total, string Unit, double Rate, TimeSpan? Eta, TimeSpan Elapsed)
    {
        public double Fraction => Total > 0 ? Math.Clamp(Done / Total, 0, 1) : 0;
        public bool Finished => Total > 0 && Done >= Total;
        /// <summary>Units per second over the whole stage (for the stage's last line); null when too short to tell.</summary>
        public double? AverageRate => Finished && Elapsed.TotalSeconds >= 0.5 && Done > 0 ? Done / Elapsed.TotalSeconds : null;
    }

    public const int MinimumSteps = 2;
    public const double MinimumSeconds = 2;

    private readonly object gate = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<string> order = [];
    private readonly Dictionary<string, Stage> stages = [];

    private sealed record Stage(ProgressReport Last, double StartTime, double StartDone, double LastTime, double FirstStepTime, double FirstStepDone, int Steps);

    /// <summary>Records a report; returns the stage's updated state.</summary>
    public StageProgress Update(ProgressReport r)
    {
        lock (gate)
        {
            double now = clock.Elapsed.TotalSeconds;
            if (!stages.TryGetValue(r.Stage, out var s))
            {
                order.Add(r.Stage);
                s = new Stage(r, now, r.Done, now, now, r.Done, 0);
            }
            // A stage that starts over (a new total, or fewer done) restarts its clock.
            if (r.Total != s.Last.Total || r.Done < s.Last.Done) s = new Stage(r, now, r.Done, now, now, r.Done, 0);
            bool advanced = r.Done > s.Last.Done;
            // The rate is measured from the first step on: the time before it (loading, the slow
            // first item) says little about the rest.
            s = s with
            {
                Last = r,
                LastTime = now,
                Steps = s.Steps + (advanced ? 1 : 0),
                FirstStepTime = advanced && s.Steps == 0 ? now : s.FirstStepTime,
                FirstStepDone = advanced && s.Steps == 0 ? r.Done : s.FirstStepDone,
            };
            stages[r.Stage] = s;
            return Describe(r.Stage, now);
        }
    }

    public IReadOnlyList<StageProgress> Snapshot()
    {
        lock (gate)
        {
            double now = clock.Elapsed.TotalSeconds;
            return order.Select(stage => Describe(stage, now)).ToList();
        }
    }

    /// <summary>Unfinished stages still at work: a stage that stopped short of its total (a solver
    /// that converged early) is over once a stage that started before it reports again.</summary>
    public IReadOnlyList<StageProgress> Running()
    {
        lock (gate)
        {
            double now = clock.Elapsed.TotalSeconds;
            return order.Where(name =>
            {
                var s = stages[name];
                if (s.Last.Total > 0 && s.Last.Done >= s.Last.Total) return false;
                return !stages.Values.Any(o => o.StartTime < s.StartTime && o.LastTime > s.LastTime);
            }).Select(name => Describe(name, now)).ToList();
        }
    }

    /// <summary>The stage's state now (elapsed time up to now while it runs).</summary>
    public StageProgress Current(string stage)
    {
        lock (gate) return Describe(stage, clock.Elapsed.TotalSeconds);
    }

    private StageProgress Describe(string stage, double now)
    {
        var s = stages[stage];
        bool finished = s.Last.Total > 0 && s.Last.Done >= s.Last.Total;
        double elapsed = Math.Max((finished ? s.LastTime : now) - s.StartTime, 0);
        double measured = s.LastTime - s.FirstStepTime;
        double rate = s.Steps >= MinimumSteps && measured > 0 ? (s.Last.Done - s.FirstStepDone) / measured : 0;
        TimeSpan? eta = rate > 0 && measured >= MinimumSeconds && s.Last.Total > s.Last.Done
            ? TimeSpan.FromSeconds((s.Last.Total - s.Last.Done) / rate) : null;
        return new StageProgress(stage, s.Last.Done, s.Last.Total, s.Last.Unit, rate, eta, TimeSpan.FromSeconds(elapsed));
    }

    public static string FormatDuration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s" : $"{t.TotalSeconds:0}s";

    public static string FormatCount(double v) =>
        v >= 1e6 ? $"{v / 1e6:0.0}M" : v >= 1e4 ? $"{v / 1e3:0}k" : v >= 1e3 ? $"{v / 1e3:0.0}k" : $"{v:0}";

    /// <summary>"12k tokens/s", "3.4 probes/s", "0.25 probes/s" — never "0 probes/s".</summary>
    public static string FormatRate(double perSecond, string unit)
    {
        string u = unit.Length > 0 ? unit : "steps";
        string value = perSecond >= 100 ? FormatCount(perSecond)
            : perSecond >= 10 ? perSecond.ToString("0", CultureInfo.InvariantCulture)
            : perSecond >= 1 ? perSecond.ToString("0.0", CultureInfo.InvariantCulture)
            : perSecond.ToString("0.00##", CultureInfo.InvariantCulture);
        return $"{value} {u}/s";
    }
}
