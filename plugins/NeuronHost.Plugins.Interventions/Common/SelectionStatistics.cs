using NeuronHost.Sdk.Statistics;

namespace NeuronHost.Plugins.Interventions.Common;

/// <summary>The statistics rows an intervention adds beside its effects: per-item paired tests of
/// top vs random (random = the mean over the seeded draws, and top also tested against the spread
/// of the draws) and top vs bottom, and the summary of the random draws.</summary>
internal static class SelectionStatistics
{
    public const string TopVsRandom = "top_vs_random", TopVsBottom = "top_vs_bottom", RankingVsRanking = "ranking_vs_ranking";

    public static readonly string[] ComparisonColumns =
        ["ranking", "k", "comparison", "items", "mean_difference", "low95", "high95", "p_value", "draw_p_value", "distinguishable", "seed", "versus"];

    /// <summary>Item-wise mean over the draws.</summary>
    public static double[] MeanOver(IReadOnlyList<double[]> draws)
    {
        var mean = new double[draws[0].Length];
        foreach (var d in draws) for (int i = 0; i < mean.Length; i++) mean[i] += d[i] / draws.Count;
        return mean;
    }

    /// <summary>Top's items against the mean of the random draws' items, and top's headline value
    /// against the draws' headline values.</summary>
    public static IReadOnlyList<object> VersusRandom(string ranking, int k, double[] top, IReadOnlyList<double[]> draws,
        double topValue, IEnumerable<double> drawValues, ulong seed, int rounds)
    {
        var paired = PairedTest.Compare(top, MeanOver(draws), seed, rounds);
        double drawP = BaselineDraws.PValueAgainstDraws(topValue, SampleSummary.Of(drawValues));
        return Row(ranking, k, TopVsRandom, paired, drawP, paired.Distinguishable() && drawP < 0.05, "random");
    }

    public static IReadOnlyList<object> VersusBottom(string ranking, int k, double[] top, double[] bottom, ulong seed, int rounds)
    {
        var paired = PairedTest.Compare(top, bottom, seed, rounds);
        return Row(ranking, k, TopVsBottom, paired, double.NaN, paired.Distinguishable(), ranking + " bottom");
    }

    /// <summary>Ranking A's top-k against ranking B's top-k on the same items (A − B): which
    /// ranking's neurons the model uses more, with the same paired test.</summary>
    public static IReadOnlyList<object> VersusRanking(string a, string b, int k, double[] topA, double[] topB, ulong seed, int rounds)
    {
        var paired = PairedTest.Compare(topA, topB, seed, rounds);
        return Row(a, k, RankingVsRanking, paired, double.NaN, paired.Distinguishable(), b);
    }

    private static IReadOnlyList<object> Row(string ranking, int k, string kind, PairedComparison c, double drawP, bool distinguishable, string versus) =>
        [ranking, k, kind, c.N, c.MeanDifference, c.Low95, c.High95, c.PValue, drawP, distinguishable, (double)c.Seed, versus];
}
