namespace NeuronHost.Sdk.Statistics;

/// <summary>Exact one-sided binomial test: is k successes out of n more than chance p0 gives?
/// (e.g. 42 of 72 held-out prompts right against 1/2 chance: p = 0.097, not shown above chance.)</summary>
public static class BinomialTest
{
    /// <summary>P(X ≥ k) for X ~ Binomial(n, p0).</summary>
    public static double PGreater(int k, int n, double p0)
    {
        if (n < 0 || k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"need 0 ≤ k ≤ n, got k = {k}, n = {n}");
        if (p0 is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p0), "chance must be a probability");
        if (k == 0) return 1;
        if (p0 == 0) return 0;
        if (p0 == 1) return 1;
        return SpecialFunctions.RegularizedBeta(p0, k, n - k + 1);
    }
}
