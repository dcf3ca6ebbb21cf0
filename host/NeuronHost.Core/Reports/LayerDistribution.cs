namespace NeuronHost.Core.Reports;

/// <summary>How the top neurons of a ranking spread over layers (Durrani et al.'s figure).</summary>
public static class LayerDistribution
{
    /// <summary>Counts of the first <paramref name="top"/> neurons per layer, for every layer in
    /// <paramref name="layers"/> (zeros included so bars line up across rankings).</summary>
    public static int[] Count(RankingResult ranking, int top, IReadOnlyList<int> layers)
    {
        var counts = new int[layers.Count];
        foreach (var n in ranking.Neurons.Take(top))
        {
            int i = IndexOf(layers, n.Layer);
            if (i >= 0) counts[i]++;
        }
        return counts;
    }

    /// <summary>The layers that occur in any ranking, ascending.</summary>
    public static List<int> Layers(IEnumerable<RankingResult> rankings) =>
        rankings.SelectMany(r => r.Neurons.Select(n => n.Layer)).Distinct().Order().ToList();

    public static List<LayerCount> Of(IEnumerable<RankedNeuronResult> neurons) =>
        neurons.GroupBy(n => n.Layer).OrderBy(g => g.Key).Select(g => new LayerCount(g.Key, g.Count())).ToList();

    private static int IndexOf(IReadOnlyList<int> list, int v)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == v) return i;
        return -1;
    }
}
