using System.Globalization;

namespace NeuronHost.Benchmarks.Harness;

/// <summary>Repeated measurements of one quantity (seconds, or a rate): median and spread.</summary>
public sealed class Sample(IEnumerable<double> values)
{
    public IReadOnlyList<double> Values { get; } = values.ToArray();
    private double[] Sorted => Values.Order().ToArray();

    public double Median => Quantile(0.5);
    public double Min => Values.Min();
    public double Max => Values.Max();

    /// <summary>Linear interpolation between order statistics (numpy's default "linear" method).</summary>
    public double Quantile(double q)
    {
        var s = Sorted;
        if (s.Length == 0) return double.NaN;
        double pos = q * (s.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    /// <summary>"median (min–max, n=R)" with the given format.</summary>
    public string Describe(string format = "F3", string unit = "") =>
        string.Create(CultureInfo.InvariantCulture, $"{Median.ToString(format, CultureInfo.InvariantCulture)}{unit} ({Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)}, n={Values.Count})");

    /// <summary>Round by round ratio a[i] / b[i] (the rounds were interleaved, so each pair saw the same load).</summary>
    public static Sample Ratio(Sample a, Sample b) => new(a.Values.Zip(b.Values, (x, y) => x / y));
}
