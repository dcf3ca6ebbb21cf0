namespace NeuronHost.Core.Reports;

/// <summary>A baseline measured by several random draws: mean, sample sd, and the range that holds
/// the central 95 % of the draws (empirical 2.5th–97.5th percentiles, linear interpolation). One
/// draw has no spread: Sd, Low and High are null, and nothing can be said about whether another
/// value differs from the baseline beyond sampling noise.</summary>
public sealed record Spread(double Mean, double? Sd, double? Low, double? High, int Draws)
{
    public bool HasInterval => Low is not null && High is not null;

    public static Spread? Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).Order().ToArray();
        if (v.Length == 0) return null;
        double mean = v.Average();
        if (v.Length == 1) return new Spread(mean, null, null, null, 1);
        double sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return new Spread(mean, sd, Quantile(v, 0.025), Quantile(v, 0.975), v.Length);
    }

    /// <summary>From a reported mean and interval (a plugin that summarised its draws itself).</summary>
    public static Spread FromInterval(double mean, double? sd, double? low, double? high, int draws) => new(mean, sd, low, high, draws);

    /// <summary>Is <paramref name="value"/> outside the draws' 95 % range? Null without an interval.</summary>
    public bool? Excludes(double value) => HasInterval ? value < Low || value > High : null;

    /// <summary>Numpy's default ("linear") quantile of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    public string Describe(string format = "0.000")
    {
        string m = Mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        if (!HasInterval) return Draws == 1 ? $"{m} (one draw)" : m;
        string F(double x) => x.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        return $"{m} (95 % of {Draws} draws in {F(Low!.Value)}…{F(High!.Value)})";
    }
}
