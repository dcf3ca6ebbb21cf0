namespace NeuronHost.Sdk.Statistics;

/// <summary>Top-k and bottom-k of a ranking that do not depend on column order where scores tie.
/// An L1 probe gives a third of the neurons exactly zero weight; cutting that block by position
/// would always pick the last layer's highest indices (a layer artefact, not "the least
/// important neurons"). Here the tied block the cut passes through is sampled with the seed.</summary>
public static class RankingCuts
{
    public static IReadOnlyList<RankedNeuron> Top(Ranking ranking, int k, ulong seed) =>
        Cut(ranking.Order, k, seed);

    public static IReadOnlyList<RankedNeuron> Bottom(Ranking ranking, int k, ulong seed) =>
        Cut(ranking.Order.Reverse().ToArray(), k, seed);

    /// <summary>How many neurons share the score at the k-th place of the top (or bottom) cut:
    /// 1 when the cut is clean.</summary>
    public static int TiedAtCut(Ranking ranking, int k, bool bottom)
    {
        var order = bottom ? ranking.Order.Reverse().ToArray() : ranking.Order;
        Check(order, k);
        double boundary = order[k - 1].Score;
        return order.Count(n => Same(n.Score, boundary));
    }

    private static IReadOnlyList<RankedNeuron> Cut(IReadOnlyList<RankedNeuron> order, int k, ulong seed)
    {
        Check(order, k);
        double boundary = order[k - 1].Score;
        int first = 0;
        while (!Same(order[first].Score, boundary)) first++;
        int last = k - 1;
        while (last + 1 < order.Count && Same(order[last + 1].Score, boundary)) last++;
        if (last == k - 1) return order.Take(k).ToArray(); // the cut falls between two scores
        var tied = order.Skip(first).Take(last - first + 1).ToArray();
        var rng = new SplitMix64(seed);
        for (int i = tied.Length - 1; i > 0; i--)  // Fisher–Yates with the run's seed
        {
            int j = rng.NextBelow(i + 1);
            (tied[i], tied[j]) = (tied[j], tied[i]);
        }
        return order.Take(first).Concat(tied.Take(k - first)).ToArray();
    }

    private static bool Same(double a, double b) => a == b || (double.IsNaN(a) && double.IsNaN(b));

    private static void Check(IReadOnlyList<RankedNeuron> order, int k)
    {
        if (k < 1 || k > order.Count)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} must be between 1 and the ranking's {order.Count} neurons");
    }
}
