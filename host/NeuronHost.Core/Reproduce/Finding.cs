namespace NeuronHost.Core.Reproduce;

/// <summary>One row of the reproduction table: a seed finding, what the paper claims, our effect
/// with its 95% interval(s) and the verdict that follows from them.</summary>
public sealed class Finding
{
    /// <summary>"a", "b1"… (the letter is the seed finding).</summary>
    public string Id { get; set; } = "";
    public string Title { get; set; } = "";
    public string Paper { get; set; } = "";
    public string Claim { get; set; } = "";
    /// <summary>The effect in words, with numbers and intervals, as printed.</summary>
    public string Effect { get; set; } = "";
    /// <summary>The intervals the verdict rests on (empty when it cannot be computed).</summary>
    public List<FindingInterval> Intervals { get; set; } = [];
    /// <summary><see cref="Verdicts"/>: holds, does not hold, cannot tell.</summary>
    public string Verdict { get; set; } = Verdicts.CannotTell;
    /// <summary>Why "cannot tell" (missing prerequisite, failed plugin, interval includes the null), or a caveat.</summary>
    public string Reason { get; set; } = "";
    /// <summary>The run folder (under runs/) and the results.json part the numbers come from.</summary>
    public string Source { get; set; } = "";
}

/// <summary>An estimate with its 95% interval, the null value it is tested against and the side
/// the paper's claim is on (+1: estimate &gt; null; −1: estimate &lt; null).</summary>
public sealed class FindingInterval
{
    public string Label { get; set; } = "";
    public double Estimate { get; set; }
    public double Low95 { get; set; }
    public double High95 { get; set; }
    public double Null { get; set; }
    public int Direction { get; set; } = 1;

    /// <summary>+1 the interval lies on the claimed side of the null, −1 on the other, 0 it includes the null (or is not finite).</summary>
    public int Side()
    {
        if (!double.IsFinite(Low95) || !double.IsFinite(High95)) return 0;
        if (Low95 > Null) return Direction > 0 ? 1 : -1;
        if (High95 < Null) return Direction > 0 ? -1 : 1;
        return 0;
    }
}

public static class Verdicts
{
    public const string Holds = "holds";
    public const string DoesNotHold = "does not hold";
    public const string CannotTell = "cannot tell";

    /// <summary>Holds only when every interval excludes its null on the claimed side; does not hold
    /// when any interval excludes it on the other side; otherwise the data cannot tell.</summary>
    public static string Of(IReadOnlyList<FindingInterval> intervals)
    {
        if (intervals.Count == 0) return CannotTell;
        var sides = intervals.Select(i => i.Side()).ToList();
        if (sides.Any(s => s < 0)) return DoesNotHold;
        return sides.All(s => s > 0) ? Holds : CannotTell;
    }
}
