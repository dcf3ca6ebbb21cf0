using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests;

public class OrderingTests
{
    // |W| for 4 neurons × 2 classes, worked by hand below
    private static SoftmaxModel Model() => new(4, 2,
        [0.5f, 0f, -0.25f, 0.125f, 0.25f, 0f, 0f, -0.375f], new float[2], new float[4], [1f, 1f, 1f, 1f]);

    /// <summary>NeuroX sweep by hand (binary-exact weights): class 0 |W| = .5 .25 .25 0 (Σ 1),
    /// class 1 = 0 .125 0 .375 (Σ .5). p = 0: one neuron per class → 0 (max |W| .5) then 3 (.375).
    /// p = .51: class 0 needs .5+.25 → 1. p = .76: class 0 needs neuron 2 too; class 1 needs 1 (in).</summary>
    [Fact]
    public void NeuroXWeightMassSweep()
    {
        var (order, score) = NeuronOrdering.WeightMass(Model());
        Assert.Equal([0, 3, 1, 2], order);
        Assert.Equal(1.0, score[0], 12); Assert.Equal(1.0, score[3], 12);
        Assert.Equal(0.49, score[1], 12); Assert.Equal(0.24, score[2], 12);
    }

    /// <summary>Pitfalls: mean over classes of |W| = .25 .1875 .125 .1875 (tie → lower column).</summary>
    [Fact]
    public void PitfallsMeanAbsoluteWeight()
    {
        var s = NeuronOrdering.MeanAbsWeight(Model());
        Assert.Equal([0.25, 0.1875, 0.125, 0.1875], s);
        var r = Ranking.FromScores("linear", Enumerable.Range(0, 4).Select(i => new NeuronRef("x", i)).ToArray(), s);
        Assert.Equal([0, 1, 3, 2], r.TopColumns(4));
        Assert.Equal(4, r.TopColumns(10).Length);   // k beyond the neurons: all of them, no error
    }

    [Fact]
    public void LambdaSearchPicksByDevAccuracyAndRanksSignalFirst()
    {
        var data = TestData.Probing(800, 400, 12, 3, seed: 4, informative: 3);
        var plugin = new LinearRanking { Search = true, L1Grid = [0, 1e-2], L2Grid = [0, 1e-1], Ordering = LinearOrdering.Pitfalls };
        var ranking = plugin.Rank(new RankingRequest(data), TestData.Context());
        Assert.Equal(4, plugin.SearchResults.Count);
        double best = plugin.SearchResults.Max(r => r.DevAccuracy);
        Assert.Contains(plugin.SearchResults, r => r.L1 == plugin.Chosen.L1 && r.L2 == plugin.Chosen.L2 && r.DevAccuracy == best);
        Assert.Equal([0, 1, 2], ranking.TopColumns(3).Order().ToArray());
        var noDev = data with { Dev = null };
        Assert.Throws<PluginInputException>(() => plugin.Rank(new RankingRequest(noDev), TestData.Context()));
    }
}
