using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Baselines;

/// <summary>The seeded random ranking every neuron-ranking paper compares against: the neurons
/// in a random order that depends only on the seed and the number of neurons. The neuron at
/// rank r (0 = best) of D neurons gets the score D − r.</summary>
public sealed class RandomRanking : IRankingMethod
{
    public PluginInfo Info { get; } = new("random", PluginKind.Ranking,
        "Seeded random order of the neurons: the baseline every ranking is compared against", new Version(1, 0, 0));

    [PluginParameter("Seed of the permutation; the same seed and neuron count always give the same order")]
    public long Seed { get; set; } = 1;

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var neurons = request.Data.Neurons;
        context.Cancellation.ThrowIfCancellationRequested();
        var order = Permutation(neurons.Count, Seed);
        var ranked = new RankedNeuron[order.Length];
        for (int r = 0; r < order.Length; r++)
            ranked[r] = new RankedNeuron(order[r], neurons[order[r]], order.Length - r);
        return new Ranking(Info.Name, ranked);
    }

    /// <summary>A Fisher–Yates shuffle of 0..count-1 driven by SplitMix64(seed): for i from
    /// count-1 down to 1, swap i with j = NextBelow(i + 1).</summary>
    public static int[] Permutation(int count, long seed)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var rng = new SplitMix64(unchecked((ulong)seed));
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.NextBelow(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
