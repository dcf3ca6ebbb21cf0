namespace NeuronHost.Sdk.Interventions;

/// <summary>Which neurons an intervention edits: the top, a random or the bottom k of a ranking
/// (the three curves every paper compares).</summary>
public enum Selection { Top, Random, Bottom }

/// <summary>Top/random/bottom-k neurons of a ranking and the hook edits that change them.</summary>
public static class NeuronSelection
{
    /// <summary>The first k, k drawn without replacement with a seeded <see cref="Permutations"/>
    /// (the same seed gives the same k on every machine), or the last k (worst first) of the
    /// ranking's order. A cut through tied scores samples among the tied neurons with the seed
    /// (<see cref="Statistics.RankingCuts"/>) instead of taking them in column order. Random
    /// draws are taken from the neurons in column order, so every ranking over the same neurons
    /// shares the same random sets. k larger than the ranking is a <see cref="PluginInputException"/>.</summary>
    public static IReadOnlyList<RankedNeuron> Pick(Ranking ranking, Selection selection, int k, int seed) =>
        Pick(ranking, selection, k, (ulong)seed);

    public static IReadOnlyList<RankedNeuron> Pick(Ranking ranking, Selection selection, int k, ulong seed)
    {
        if (k > ranking.Order.Count)
            throw new PluginInputException($"k = {k} is larger than the {ranking.Order.Count} neurons of ranking '{ranking.Method}'");
        if (k < 1) throw new PluginInputException($"k = {k}: at least one neuron must be selected");
        return selection switch
        {
            Selection.Top => Statistics.RankingCuts.Top(ranking, k, seed),
            Selection.Bottom => Statistics.RankingCuts.Bottom(ranking, k, seed),
            _ => RandomPick(ranking, k, seed),
        };
    }

    private static RankedNeuron[] RandomPick(Ranking ranking, int k, ulong seed)
    {
        var byColumn = ranking.Order.OrderBy(n => n.Column).ToArray();
        return Permutations.Of(byColumn.Length, seed).Take(k).Select(i => byColumn[i]).ToArray();
    }

    /// <summary>One <see cref="HookEdit"/> per hook point: <paramref name="value"/> gives the edit
    /// value of each neuron (null values → the op's scalar).</summary>
    public static IReadOnlyList<HookEdit> Edits(IEnumerable<RankedNeuron> neurons, EditOp op, Func<RankedNeuron, float>? value,
        float scalar = 0f, int sequence = -1, IReadOnlyList<int>? positions = null)
    {
        return neurons.GroupBy(n => n.Neuron.HookPoint).Select(g =>
        {
            var list = g.ToArray();
            var edit = new NeuronEdit(op, list.Select(n => n.Neuron.Index).ToArray(),
                value is null ? null : list.Select(value).ToArray(), scalar);
            return new HookEdit(g.Key, edit, sequence, positions);
        }).ToArray();
    }

    /// <summary>Checks that every neuron of the ranking exists in the model.</summary>
    public static void CheckAgainstModel(Ranking ranking, ModelInfo model, string plugin)
    {
        foreach (var n in ranking.Order)
        {
            if (!model.HookPointWidths.TryGetValue(n.Neuron.HookPoint, out int width))
                throw new PluginInputException($"{plugin}: model '{model.Name}' has no hook point '{n.Neuron.HookPoint}' (ranking '{ranking.Method}')");
            if ((uint)n.Neuron.Index >= (uint)width)
                throw new PluginInputException($"{plugin}: neuron {n.Neuron} is outside {n.Neuron.HookPoint} (width {width})");
        }
    }
}
