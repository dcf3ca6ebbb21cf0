using NeuronHost.Sdk.Statistics;

namespace NeuronHost.Core.Analysis;

/// <summary>One seeded random-k draw of the grid: its seed and the probe's accuracies on it
/// (control accuracy only for the first draw, the others carry NaN).</summary>
public sealed record RandomDraw(int Draw, ulong Seed, SplitAccuracies Task, SplitAccuracies Control);

/// <summary>The random-k baseline of one probe at one k: every draw, and the mean, sd and 95%
/// t-interval of their held-out accuracies.</summary>
public sealed record RandomBaseline(string Probe, int K, IReadOnlyList<RandomDraw> Draws, SampleSummary HeldOut);

/// <summary>What a comparison compares: a ranking's top-k against the random draws, against its
/// own bottom-k, or against another ranking's top-k.</summary>
public static class ComparisonKind
{
    public const string TopVsRandom = "top_vs_random", TopVsBottom = "top_vs_bottom", RankingVsRanking = "ranking_vs_ranking";
}

/// <summary>A paired comparison of two selections under one probe at one k, over the held-out
/// items (tokens): accuracy of A − accuracy of B with its bootstrap interval and sign-flip
/// permutation p-value. Against random, B's per-token correctness is the mean over the draws,
/// and <see cref="DrawPValue"/> also tests A's accuracy against the spread of the draws
/// (<see cref="BaselineDraws.PValueAgainstDraws"/>); both must be below alpha to call A
/// distinguishable from random.</summary>
public sealed record SelectionComparison(string Kind, string Probe, int K, string A, string B, PairedComparison Paired, double DrawPValue)
{
    public bool Distinguishable(double alpha = 0.05) =>
        Paired.Distinguishable(alpha) && (double.IsNaN(DrawPValue) ? Kind != ComparisonKind.TopVsRandom : DrawPValue < alpha);
}

/// <summary>How many neurons of a ranking share its lowest score (an L1 probe leaves many at
/// exactly 0); bottom-k cuts through them by seeded sampling, not column order.</summary>
public sealed record RankingTies(string Ranking, int TiedAtBottom, double BottomScore, int TiedAtTop);

/// <summary>"Neurons to reach X% of the oracle": the k found by binary search on the selection
/// split (dev) where a ranking's top-k first reaches the fraction of the oracle's accuracy there,
/// and its test accuracy. K = -1 when not reached within the probe's neuron limit.</summary>
public sealed record OracleFractionPoint(string Ranking, string Probe, double Fraction, int K, double SelectionAccuracy, double TestAccuracy, string SelectedOn);
