namespace NeuronHost.Sdk.Interventions;

/// <summary>Seeded random orders for the random-k baselines and prompt splits, driven by the
/// SDK's <see cref="SplitMix64"/> so a seed repeats on every runtime.</summary>
public static class Permutations
{
    /// <summary>A uniformly random permutation of 0..n-1 (Fisher–Yates).</summary>
    public static int[] Of(int n, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var p = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--) { int j = (int)(rng.Next() % (ulong)(i + 1)); (p[i], p[j]) = (p[j], p[i]); }
        return p;
    }
}
