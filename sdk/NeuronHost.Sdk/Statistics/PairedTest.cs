namespace NeuronHost.Sdk.Statistics;

/// <summary>The paired comparison of two conditions scored on the same items (sentences,
/// prompts): mean difference a − b, its 95% percentile-bootstrap interval over items, and a
/// two-sided sign-flip permutation p-value (exact up to 20 items, else Monte Carlo with the
/// recorded seed).</summary>
public sealed record PairedComparison(int N, double MeanDifference, double Low95, double High95, double PValue, int Rounds, bool Exact, ulong Seed)
{
    /// <summary>True when the interval excludes 0 and p &lt; alpha.</summary>
    public bool Distinguishable(double alpha = 0.05) => PValue < alpha && (Low95 > 0 || High95 < 0);
}

public static class PairedTest
{
    public const int ExactUpTo = 20;

    public static PairedComparison Compare(IReadOnlyList<double> a, IReadOnlyList<double> b, ulong seed, int rounds = 10_000)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired samples need equal lengths ({a.Count} vs {b.Count})");
        var d = new double[a.Count];
        for (int i = 0; i < d.Length; i++) d[i] = a[i] - b[i];
        return Compare(d, seed, rounds);
    }

    /// <summary>The same from the per-item differences.</summary>
    public static PairedComparison Compare(IReadOnlyList<double> differences, ulong seed, int rounds = 10_000)
    {
        var d = differences.Where(double.IsFinite).ToArray();
        int n = d.Length;
        if (n == 0) return new PairedComparison(0, double.NaN, double.NaN, double.NaN, double.NaN, 0, false, seed);
        double mean = d.Average();
        var (low, high) = BootstrapInterval(d, seed, rounds);
        var (p, exact, used) = SignFlipP(d, seed ^ 0x5DEECE66DUL, rounds);
        return new PairedComparison(n, mean, low, high, p, used, exact, seed);
    }

    /// <summary>2.5% and 97.5% percentiles of the mean over item resamples.</summary>
    public static (double Low, double High) BootstrapInterval(double[] d, ulong seed, int rounds)
    {
        var rng = new SplitMix64(seed);
        var means = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            double s = 0;
            for (int i = 0; i < d.Length; i++) s += d[rng.NextBelow(d.Length)];
            means[r] = s / d.Length;
        }
        Array.Sort(means);
        return (Percentile(means, 0.025), Percentile(means, 0.975));
    }

    /// <summary>P(|mean of sign-flipped d| ≥ |mean of d|): every sign pattern when there are at
    /// most <see cref="ExactUpTo"/> items, else (1 + hits) / (1 + rounds) over random patterns.</summary>
    public static (double P, bool Exact, int Rounds) SignFlipP(double[] d, ulong seed, int rounds)
    {
        int n = d.Length;
        double observed = Math.Abs(d.Sum());
        double tolerance = 1e-12 * Math.Max(1, d.Sum(Math.Abs));
        if (n <= ExactUpTo)
        {
            long patterns = 1L << n, hits = 0;
            for (long mask = 0; mask < patterns; mask++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += ((mask >> i) & 1) == 0 ? d[i] : -d[i];
                if (Math.Abs(s) >= observed - tolerance) hits++;
            }
            return (hits / (double)patterns, true, (int)Math.Min(patterns, int.MaxValue));
        }
        var rng = new SplitMix64(seed);
        int count = 0;
        for (int r = 0; r < rounds; r++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += (rng.Next() & 1) == 0 ? d[i] : -d[i];
            if (Math.Abs(s) >= observed - tolerance) count++;
        }
        return ((1.0 + count) / (1.0 + rounds), false, rounds);
    }

    /// <summary>Linear interpolation between order statistics (numpy's default "linear" method).</summary>
    public static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
