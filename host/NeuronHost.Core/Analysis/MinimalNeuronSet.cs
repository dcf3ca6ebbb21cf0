using NeuronHost.Sdk;

namespace NeuronHost.Core.Analysis;

/// <summary>Durrani et al. 2020: the smallest top-k of a ranking whose probe comes within a margin
/// of the probe trained on all neurons (held-out accuracy), and the layers its neurons come from.</summary>
public static class MinimalNeuronSet
{
    public static List<MinimalSet> Find(IReadOnlyList<Ranking> rankings, IReadOnlyList<GridCell> cells,
        IReadOnlyList<OracleResult> oracles, double margin)
    {
        var result = new List<MinimalSet>();
        foreach (var oracle in oracles)
            foreach (var ranking in rankings)
            {
                double target = oracle.Task.HeldOut - margin;
                var hit = cells.Where(c => c.Ranking == ranking.Method && c.Selection == ProbeRankingGrid.Top && c.Probe == oracle.Probe)
                    .OrderBy(c => c.K).FirstOrDefault(c => c.Task.HeldOut >= target);
                var layers = new SortedDictionary<int, int>();
                if (hit is not null)
                    foreach (var n in ranking.Order.Take(hit.K))
                        layers[n.Neuron.Layer] = layers.GetValueOrDefault(n.Neuron.Layer) + 1;
                result.Add(new MinimalSet(ranking.Method, oracle.Probe, hit?.K ?? -1, hit?.Task.HeldOut ?? double.NaN,
                    oracle.Task.HeldOut, margin, layers));
            }
        return result;
    }
}
