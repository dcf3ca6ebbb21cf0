using NeuronHost.Core.Config;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>The Probeless ranking from class moments merged elsewhere (a cluster's silos) instead
/// of from the rows: the plugin's own steps after its <c>ClassMoments</c> call (the same checks,
/// the same kernel scores, the same order), so its results are the plugin's on the same moments.
/// The cluster tests hold it to the plugin's local run.</summary>
internal sealed class ProbelessFromMoments(IRankingMethod plugin, PluginUse use, MergedTrainMoments merged, IComputeKernels kernels) : IRankingMethod
{
    public PluginInfo Info => plugin.Info;

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var data = request.Data;
        var m = merged.Moments;
        string tag = use.Parameters.FirstOrDefault(kv => string.Equals(kv.Key, "Tag", StringComparison.OrdinalIgnoreCase)).Value ?? "";
        if (data.ClassCount < 2) throw new PluginInputException($"probeless: the task has {data.ClassCount} class; needs at least 2");
        if (m.ClassCount != data.ClassCount || m.Neurons != data.Neurons.Count)
            throw new PluginInputException($"probeless: the merged moments are {m.ClassCount} classes × {m.Neurons} neurons, the task {data.ClassCount} × {data.Neurons.Count}");
        for (int j = 0; j < m.Neurons; j++)
            if (double.IsNaN(m.OverallMean[j]) || double.IsInfinity(m.OverallMean[j]))
                throw new PluginInputException($"probeless: neuron column {j} ({data.Neurons[j]}) has NaN or infinite activations");
        int present = m.Counts.Count(c => c > 0);
        if (present < 2) throw new PluginInputException($"probeless: the training labels contain {present} class(es); needs at least 2");
        double[] scores;
        if (string.IsNullOrEmpty(tag)) scores = kernels.ProbelessScores(m);
        else
        {
            int t = data.ClassNames.ToList().IndexOf(tag);
            if (t < 0) throw new PluginInputException($"probeless: no class '{tag}' (classes: {string.Join(", ", data.ClassNames)})");
            if (m.Counts[t] == 0) throw new PluginInputException($"probeless: class '{tag}' has no training tokens");
            scores = kernels.ProbelessPerClassScores(m).AsSpan(t * m.Neurons, m.Neurons).ToArray();
        }
        context.Log.Info($"ranking '{use.DisplayName}' from {merged.Source} ({m.Total:N0} train rows), not from the rows");
        return Ranking.FromScores(use.DisplayName, data.Neurons, scores);
    }
}
