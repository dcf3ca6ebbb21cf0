using NeuronHost.Sdk;
using NeuronHost.Sdk.Testing;

namespace MyRanking.Tests;

public sealed class VarianceRankingTests
{
    // Column j over 6 tokens, with variances worked out by hand:
    // col0: 1 everywhere → variance 0, mean square 1; col1: ±2 → variance 4, mean square 4;
    // col2: five 0s and a 6 → mean 1, mean square 6, variance 5; col3: 3 everywhere → variance 0, mean square 9.
    private static readonly float[,] Activations =
    {
        { 1, 2, 0, 3 },
        { 1, -2, 0, 3 },
        { 1, 2, 0, 3 },
        { 1, -2, 0, 3 },
        { 1, 2, 0, 3 },
        { 1, -2, 6, 3 },
    };

    private static ProbingData Data() =>
        InMemoryData.Task(["all"], InMemoryData.Split(Activations, new int[6], rowsPerBlock: 4)); // two blocks

    [Fact]
    public void Orders_neurons_by_variance()
    {
        var ranking = new VarianceRanking().Rank(new RankingRequest(Data()), new TestPluginContext());
        Assert.Equal([2, 1, 0, 3], ranking.Order.Select(n => n.Column));
        Assert.Equal([5.0, 4.0, 0.0, 0.0], ranking.Order.Select(n => Math.Round(n.Score, 9)));
    }

    [Fact]
    public void Without_centering_orders_by_mean_square()
    {
        var ranking = new VarianceRanking { Center = false }.Rank(new RankingRequest(Data()), new TestPluginContext());
        Assert.Equal([3, 2, 1, 0], ranking.Order.Select(n => n.Column));
        Assert.Equal([9.0, 6.0, 4.0, 1.0], ranking.Order.Select(n => Math.Round(n.Score, 9)));
    }

    [Fact]
    public void Informative_neurons_come_first_on_separable_data()
    {
        // Neurons 0..3 separate the classes (their variance is 1 + 3²/4), the other 12 are noise (variance 1).
        var data = InMemoryData.Separable(tokens: 2000, neurons: 16, informative: 4);
        var ranking = new VarianceRanking().Rank(new RankingRequest(data), new TestPluginContext());
        Assert.Equal([0, 1, 2, 3], ranking.Order.Take(4).Select(n => n.Column).Order());
    }
}
