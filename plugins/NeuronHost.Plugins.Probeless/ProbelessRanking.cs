using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Probeless;

/// <summary>Probeless (Antverg &amp; Belinkov 2022): score_j = Σ over class pairs z &lt; z′ of
/// |q(z)_j − q(z′)_j|, q(z) the class-mean activation on train. With <see cref="Tag"/> set, NeuroX's
/// per-tag variant: score_j = Σ over z′ ≠ tag of |q(tag)_j − q(z′)_j|.</summary>
public sealed class ProbelessRanking : IRankingMethod
{
    public PluginInfo Info { get; } = new("probeless", PluginKind.Ranking,
        "Sum of absolute class-mean differences (overall, or per tag with Tag=...)", new Version(1, 0));

    [PluginParameter("rank for one class (NeuroX per-tag variant); empty = overall")] public string Tag { get; set; } = "";

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var data = request.Data;
        if (data.ClassCount < 2) throw new PluginInputException($"probeless: the task has {data.ClassCount} class; needs at least 2");
        if (data.Train.Labels.Length != data.Train.Activations.Rows)
            throw new PluginInputException($"probeless: {data.Train.Labels.Length} labels for {data.Train.Activations.Rows} rows");
        var moments = context.Kernels.ClassMoments(data.Train.Activations, data.Train.Labels, data.ClassCount, context.Cancellation);
        for (int j = 0; j < moments.Neurons; j++)
            if (double.IsNaN(moments.OverallMean[j]) || double.IsInfinity(moments.OverallMean[j]))
                throw new PluginInputException($"probeless: neuron column {j} ({data.Neurons[j]}) has NaN or infinite activations");
        int present = moments.Counts.Count(c => c > 0);
        if (present < 2) throw new PluginInputException($"probeless: the training labels contain {present} class(es); needs at least 2");
        double[] scores;
        if (string.IsNullOrEmpty(Tag))
            scores = context.Kernels.ProbelessScores(moments);
        else
        {
            int tag = data.ClassNames.ToList().IndexOf(Tag);
            if (tag < 0) throw new PluginInputException($"probeless: no class '{Tag}' (classes: {string.Join(", ", data.ClassNames)})");
            if (moments.Counts[tag] == 0) throw new PluginInputException($"probeless: class '{Tag}' has no training tokens");
            scores = context.Kernels.ProbelessPerClassScores(moments).AsSpan(tag * moments.Neurons, moments.Neurons).ToArray();
        }
        return Ranking.FromScores(string.IsNullOrEmpty(Tag) ? "probeless" : $"probeless[{Tag}]", data.Neurons, scores);
    }
}
