using NeuronHost.Core.Analysis;
using NeuronHost.Sdk;

namespace NeuronHost.Host.Tests;

/// <summary>The host's checks of plugin outputs, case by case (the CLI tests run them through real
/// bad plugins on a real store).</summary>
public sealed class PluginOutputCheckTests
{
    private static readonly NeuronRef[] Neurons = Enumerable.Range(0, 6).Select(i => new NeuronRef("blocks.0.mlp.hook_post", i)).ToArray();

    private static Ranking Of(params (int Column, double Score)[] order) =>
        new("r", order.Select(o => new RankedNeuron(o.Column, Neurons[Math.Clamp(o.Column, 0, 5)], o.Score)).ToArray());

    [Fact]
    public void A_valid_ranking_passes_even_when_shorter_than_the_neurons_but_not_than_k()
    {
        Assert.Null(PluginOutputCheck.Ranking(Of((2, 3), (0, 2), (5, 1)), Neurons, largestK: 3));
        Assert.Equal("ranks only 3 of the 6 neurons, fewer than the largest k (4)", PluginOutputCheck.Ranking(Of((2, 3), (0, 2), (5, 1)), Neurons, largestK: 4));
    }

    [Fact]
    public void Each_kind_of_bad_ranking_is_named()
    {
        Assert.Equal("returned no ranking (null)", PluginOutputCheck.Ranking(null, Neurons, 1));
        Assert.Equal("returned an empty ranking", PluginOutputCheck.Ranking(Of(), Neurons, 1));
        Assert.Equal("rank 2 refers to column 6, outside 0..5 (the data has 6 neurons)",
            PluginOutputCheck.Ranking(new Ranking("r", [new(0, Neurons[0], 1), new(6, new NeuronRef("blocks.0.mlp.hook_post", 6), 0)]), Neurons, 1));
        Assert.Equal("rank 1 refers to column -1, outside 0..5 (the data has 6 neurons)", PluginOutputCheck.Ranking(Of((-1, 1)), Neurons, 1));
        Assert.Equal("column 2 (blocks.0.mlp.hook_post[2]) appears twice (again at rank 3)", PluginOutputCheck.Ranking(Of((2, 3), (1, 2), (2, 1)), Neurons, 1));
        Assert.Equal("rank 2 (blocks.0.mlp.hook_post[1]) has score +Infinity; scores must be finite", PluginOutputCheck.Ranking(Of((2, 3), (1, double.PositiveInfinity)), Neurons, 1));
        Assert.Equal("rank 1 (blocks.0.mlp.hook_post[4]) has score NaN; scores must be finite", PluginOutputCheck.Ranking(Of((4, double.NaN)), Neurons, 1));
        Assert.Equal("rank 1 says column 3 is blocks.1.mlp.hook_post[3], but it is blocks.0.mlp.hook_post[3]",
            PluginOutputCheck.Ranking(new Ranking("r", [new(3, new NeuronRef("blocks.1.mlp.hook_post", 3), 1)]), Neurons, 1));
    }

    [Fact]
    public void Predictions_of_the_wrong_length_or_class_are_named()
    {
        Assert.Null(PluginOutputCheck.Predictions([0, 2, 1], 3, 3, "dev"));
        Assert.Equal("predicted nothing (null) for the dev split", PluginOutputCheck.Predictions(null, 3, 3, "dev"));
        Assert.Equal("predicted 2 labels for the 3 tokens of the dev split", PluginOutputCheck.Predictions([0, 1], 3, 3, "dev"));
        Assert.Equal("predicted class 3 for token 1 of the test split; classes are 0..2", PluginOutputCheck.Predictions([0, 3, 1], 3, 3, "test"));
        Assert.Equal("predicted class -1 for token 0 of the test split; classes are 0..2", PluginOutputCheck.Predictions([-1, 0, 1], 3, 3, "test"));
    }
}
