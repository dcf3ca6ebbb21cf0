namespace NeuronHost.Plugins.Linear;

/// <summary>The full-batch solver of the elastic-net objective.</summary>
public enum ElasticNetSolver
{
    /// <summary>OWL-QN: L-BFGS on the smooth part, L1 orthant-wise (the default; far fewer iterations).</summary>
    OwlQn,
    /// <summary>FISTA: accelerated proximal gradient with backtracking and adaptive restart.</summary>
    Fista,
}

/// <summary>Objective of the elastic-net softmax regression, on standardised inputs:
/// mean cross-entropy + L1·Σ|W| + L2·‖W‖_F (un-squared, as NeuroX) + L2Squared·‖W‖²_F.
/// The bias is not penalised. L2Squared exists so the objective can be mapped exactly onto
/// scikit-learn's elastic net (which squares the L2 term).</summary>
public sealed record ElasticNetOptions
{
    public double L1 { get; init; } = 1e-3;
    public double L2 { get; init; } = 1e-2;
    public double L2Squared { get; init; }
    public ElasticNetSolver Solver { get; init; } = ElasticNetSolver.OwlQn;
    /// <summary>Solver iterations (each costs two X·W-sized GEMMs, plus one per rejected step).</summary>
    public int MaxIterations { get; init; } = 300;
    /// <summary>Stop when the relative objective change stays below this (OWL-QN: 3 iterations
    /// in a row, FISTA: 5).</summary>
    public double Tolerance { get; init; } = 1e-6;
    /// <summary>Epochs of mini-batch Adam before the full-batch solver when it starts cold (no
    /// warm start) and the data has at least two batches (0 = none). See <see cref="AdamWarmUp"/>.</summary>
    public int WarmUpEpochs { get; init; } = 3;
    /// <summary>Rows per warm-up step.</summary>
    public int WarmUpBatch { get; init; } = 512;
    /// <summary>Adam's step size in the warm-up (inputs are standardised).</summary>
    public double WarmUpLearningRate { get; init; } = 3e-3;
    /// <summary>Curvature pairs kept by L-BFGS (OWL-QN only).</summary>
    public int History { get; init; } = 10;
    /// <summary>When a held-out split is passed to the trainer: stop once this many iterations in a
    /// row brought no progress (see <see cref="EarlyStoppingMinDelta"/>) and return the iterate
    /// with the best held-out accuracy (0 = never stop early; the split is then ignored).</summary>
    public int EarlyStoppingPatience { get; init; } = 5;
    /// <summary>Held-out accuracy (a fraction: 0.001 = 0.1 point) by which an iterate must beat
    /// the last progress mark to count as progress. Full-batch accuracy creeps up by a few dev
    /// words per iteration long after the probe has settled; counting those as progress kept
    /// training 2–3× longer for under 0.3 points.</summary>
    public double EarlyStoppingMinDelta { get; init; } = 0.001;
    /// <summary>z-score the columns before training (weights are then comparable across neurons).</summary>
    public bool Standardize { get; init; } = true;
    /// <summary>Threads that share a pass over the rows (0: one per core). Changes the speed only:
    /// the sums are exact, so every count gives the same model to the bit.</summary>
    public int Partitions { get; init; }
}
