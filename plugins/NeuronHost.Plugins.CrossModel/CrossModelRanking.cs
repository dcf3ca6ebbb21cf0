using NeuronHost.Sdk;

namespace NeuronHost.Plugins.CrossModel;

/// <summary>Cross-model correlation analysis (Dalvi et al. 2019, after Bau et al. 2019): a neuron
/// scores the maximum |Pearson ρ| it reaches with any neuron of any other model (or layer) on
/// the same tokens (<see cref="RankingRequest.OtherModels"/>), computed tile by tile by the kernels.
/// Labels are not used.</summary>
public sealed class CrossModelRanking : IRankingMethod
{
    public PluginInfo Info { get; } = new("cross-model", PluginKind.Ranking,
        "Max absolute correlation with any neuron of the other models on the same tokens", new Version(1, 0));

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var mine = request.Data.Train.Activations;
        if (request.OtherModels is not { Count: > 0 } others)
            throw new PluginInputException("cross-model: needs the activations of at least one other model (or layer) on the same tokens");
        var scores = new double[mine.Columns];
        Array.Fill(scores, double.NegativeInfinity);
        for (int m = 0; m < others.Count; m++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            if (others[m].Rows != mine.Rows)
                throw new PluginInputException($"cross-model: other model {m} has {others[m].Rows} token rows, this one {mine.Rows}; they must be the same tokens");
            double[] max;
            try { max = context.Kernels.MaxAbsCorrelation(mine, others[m], context.Cancellation); }
            catch (NonFiniteActivationException e) { throw new PluginInputException($"cross-model: {(m < 0 ? "" : $"model {m}: ")}{e.Message}"); }
            for (int j = 0; j < scores.Length; j++) scores[j] = Math.Max(scores[j], max[j]);
            context.Progress.Report(new ProgressReport("cross-model", m + 1, others.Count, "models"));
        }
        return Ranking.FromScores("cross-model", mine.Neurons, scores);
    }
}
