namespace NeuronHost.Sdk.Statistics;

/// <summary>n draws of a baseline (e.g. ten random neuron sets): their mean, sample standard
/// deviation, range and the 95% t-interval of the mean. Non-finite values are left out and
/// counted, so one NaN draw never turns the whole summary into NaN.</summary>
public sealed record SampleSummary(int N, double Mean, double Sd, double Min, double Max, double Low95, double High95, int Dropped)
{
    public static SampleSummary Of(IEnumerable<double> values)
    {
        var all = values.ToList();
        var x = all.Where(double.IsFinite).ToArray();
        int dropped = all.Count - x.Length;
        if (x.Length == 0) return new SampleSummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, dropped);
        double mean = x.Average();
        if (x.Length == 1) return new SampleSummary(1, mean, double.NaN, mean, mean, double.NaN, double.NaN, dropped);
        double sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
        double half = SpecialFunctions.StudentTQuantile(0.975, x.Length - 1) * sd / Math.Sqrt(x.Length);
        return new SampleSummary(x.Length, mean, sd, x.Min(), x.Max(), mean - half, mean + half, dropped);
    }

    /// <summary>"0.012 ± 0.004 (95% CI 0.009–0.015, n = 10)".</summary>
    public override string ToString() => FormattableString.Invariant(
        $"{Mean:G4} ± {Sd:G3} (95% CI {Low95:G4} – {High95:G4}, n = {N})");
}
