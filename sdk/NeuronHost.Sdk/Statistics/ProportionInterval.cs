namespace NeuronHost.Sdk.Statistics;

/// <summary>A rate k/n with its 95% Wilson score interval (which, unlike k/n ± 1.96·se, stays
/// inside [0, 1] and is not empty at k = 0: 0 flips of 398 items is 0 – 0.0096, not "0").</summary>
public readonly record struct ProportionInterval(int K, int N, double Rate, double Low95, double High95)
{
    private const double Z95 = 1.959963984540054;

    public static ProportionInterval Wilson(int k, int n)
    {
        if (n < 0 || k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"need 0 ≤ k ≤ n, got k = {k}, n = {n}");
        if (n == 0) return new ProportionInterval(0, 0, double.NaN, double.NaN, double.NaN);
        double p = k / (double)n, z2 = Z95 * Z95;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z95 / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new ProportionInterval(k, n, p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    public override string ToString() => FormattableString.Invariant($"{Rate:G3} ({K}/{N}, 95% CI {Low95:G3} – {High95:G3})");
}
