using System.Diagnostics;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Extraction;

/// <summary>Turns successive <see cref="ProgressReport"/>s into a rate (units/s) and an ETA, for
/// progress bars. The rate counts only work done since the first report, so a resumed
/// extraction (which starts with Done &gt; 0) does not look faster than it is.</summary>
public sealed class ProgressRate
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private double? firstDone;

    public double PerSecond { get; private set; }
    public TimeSpan? Remaining { get; private set; }

    public void Update(ProgressReport report)
    {
        firstDone ??= report.Done;
        double seconds = clock.Elapsed.TotalSeconds;
        double done = report.Done - firstDone.Value;
        PerSecond = seconds > 0 ? done / seconds : 0;
        Remaining = PerSecond > 0 ? TimeSpan.FromSeconds((report.Total - report.Done) / PerSecond) : null;
    }

    public string Describe(ProgressReport report) =>
        FormattableString.Invariant($"{report.Done:N0}/{report.Total:N0} {report.Unit}, {PerSecond:N0} {report.Unit}/s, ETA {(Remaining is { } r ? r.ToString(@"hh\:mm\:ss") : "?")}");
}
