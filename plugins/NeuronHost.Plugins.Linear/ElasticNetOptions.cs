namespace NeuronHost.Plugins.Linear;

/// <summary>Objective of the elastic-net softmax regression, on standardised inputs:
/// mean cross-entropy + L1·Σ|W| + L2·‖W‖_F (un-squared, as NeuroX) + L2Squared·‖W‖²_F.
/// The bias is not penalised. L2Squared exists so the objective can be mapped exactly onto
/// scikit-learn's elastic net (which squares the L2 term).</summary>
public sealed record ElasticNetOptions
{
    public double L1 { get; init; } = 1e-3;
    public double L2 { get; init; } = 1e-2;
    public double L2Squared { get; init; }
    /// <summary>FISTA iterations (each costs two X·W-sized GEMMs, plus one per backtrack).</summary>
    public int MaxIterations { get; init; } = 300;
    /// <summary>Stop when the relative objective change stays below this for 5 iterations.</summary>
    public double Tolerance { get; init; } = 1e-6;
    /// <summary>z-score the columns before training (weights are then comparable across neurons).</summary>
    public bool Standardize { get; init; } = true;
}
