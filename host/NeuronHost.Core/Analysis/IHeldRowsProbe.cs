using NeuronHost.Sdk;

namespace NeuronHost.Core.Analysis;

/// <summary>A probe the grid cannot hand rows to (they stay on a cluster's silos): it trains and
/// scores where they are and gives back what <see cref="ProbeRankingGrid.EvaluateItems"/> gives.</summary>
public interface IHeldRowsProbe
{
    (SplitAccuracies Accuracies, bool[] HeldOutCorrect) EvaluateItems(ProbingData data, int[] columns, IPluginContext context);
}
