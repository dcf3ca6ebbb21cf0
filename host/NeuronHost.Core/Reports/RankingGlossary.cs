namespace NeuronHost.Core.Reports;

/// <summary>What a ranking plugin's score means. Scores of different rankings are on different
/// scales (a weight, a sum of mean differences, bits), so the report compares rankings by
/// normalised rank instead.</summary>
public static class RankingGlossary
{
    public static string ScoreMeaning(RankingResult k)
    {
        string plugin = (k.Plugin.Length > 0 ? k.Plugin : k.Name).ToLowerInvariant();
        k.Parameters.TryGetValue("ordering", out var ordering);
        return plugin switch
        {
            "linear" when ordering is "pitfalls" => "mean |weight| of the neuron over the classes of an elastic-net logistic probe on all neurons (Antverg & Belinkov's ordering); unitless, higher = used more by the probe",
            "linear" => "the weight-mass step at which the neuron joins the per-class top sets of an elastic-net probe (NeuroX's neuron ordering); higher = earlier",
            "probeless" => "Σ over class pairs of |difference of the class means| of the neuron's activation (activation units; Antverg & Belinkov's Probeless), higher = the classes differ more",
            "gaussian" => "mutual information (bits) between the class and the Gaussian probe's prediction from the neurons selected so far (greedy selection; neurons after the last selected one: their MI when added last)",
            "random" => "a seeded random order: the score only restates the position (N … 1)",
            "iou" => "best average precision over classes of the neuron's activation as a detector of the class (0…1)",
            "cross-model" => "max |Pearson ρ| with any neuron of another model on the same tokens (0…1)",
            _ => "the plugin's own score (higher = ranked earlier)",
        };
    }

    /// <summary>Normalised rank in [0, 1]: 1 for the first neuron, 0 for the last (so rankings of
    /// different lengths and score scales line up).</summary>
    public static double NormalisedRank(int rank, int count) => count <= 1 ? 1 : 1 - (rank - 1) / (double)(count - 1);
}
