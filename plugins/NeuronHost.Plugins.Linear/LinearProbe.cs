using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>The elastic-net logistic-regression probe on a neuron subset (retrained per subset).</summary>
public sealed class LinearProbe : IProbeOverHeldRows
{
    public PluginInfo Info { get; } = new("linear-probe", PluginKind.Probe,
        "Multinomial logistic regression with elastic net (λ1·Σ|W| + λ2·‖W‖_F), OWL-QN on standardised inputs, early-stopped on dev",
        new Version(1, 0));

    [PluginParameter("L1 weight λ1 on Σ|W|", Min = 0)] public double L1 { get; set; } = 1e-3;
    [PluginParameter("L2 weight λ2 on the (un-squared) Frobenius norm ‖W‖", Min = 0)] public double L2 { get; set; } = 1e-2;
    [PluginParameter("solver: owl-qn (L-BFGS, L1 orthant-wise) or fista")] public ElasticNetSolver Solver { get; set; } = ElasticNetSolver.OwlQn;
    [PluginParameter("maximum solver iterations", Min = 1, Max = 100_000)] public int MaxIterations { get; set; } = 300;
    [PluginParameter("relative objective change that ends training", Min = 0)] public double Tolerance { get; set; } = 1e-6;
    [PluginParameter("when the data has a dev split: stop after this many iterations without progress on dev accuracy and keep the best iterate (0 = train to tolerance)")]
    public int EarlyStoppingPatience { get; set; } = 5;
    [PluginParameter("dev accuracy gain (fraction; 0.001 = 0.1 point) that counts as progress for early stopping")]
    public double EarlyStoppingMinDelta { get; set; } = 0.001;
    [PluginParameter("epochs of mini-batch Adam (batch 512) before the full-batch solver (0 = none)")]
    public int WarmUpEpochs { get; set; } = 3;

    public ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context)
    {
        if (columns.Count == 0) throw new PluginInputException("linear-probe needs at least one neuron column");
        var model = LinearProbeData.Train(data.Train, columns, data.ClassCount, Options(), context,
            earlyStopping: EarlyStoppingPatience > 0 ? data.Dev : null);
        return new Trained(model, columns.ToArray(), context.Cancellation);
    }

    /// <summary>Every setting runs over held rows: the training's passes, early stopping and the
    /// scores are all sums over rows.</summary>
    public string? WhyRowsNeeded() => null;

    /// <summary>The model <see cref="Train"/> gives on the same rows, to the bit, trained from the
    /// holders' exact sums, early-stopped on their dev counts and scored where the rows are.</summary>
    public HeldProbeScores TrainOverHeldRows(HeldRowsTask task, IReadOnlyList<int> columns, IRowHolders holders, IPluginContext context)
    {
        if (columns.Count == 0) throw new PluginInputException("linear-probe needs at least one neuron column");
        foreach (int c in columns)
            if ((uint)c >= (uint)task.Neurons.Count) throw new PluginInputException($"neuron column {c} is outside 0..{task.Neurons.Count - 1}");
        return HeldRowsProbe.Run(task, columns, holders, Options(), context);
    }

    public IHeldRowsService Serve(HeldRows rows, IPluginContext context) => new LinearProbeHeldService(rows, context);

    private ElasticNetOptions Options() => new()
    {
        L1 = L1, L2 = L2, MaxIterations = MaxIterations, Tolerance = Tolerance, Solver = Solver, EarlyStoppingPatience = EarlyStoppingPatience,
        EarlyStoppingMinDelta = EarlyStoppingMinDelta, WarmUpEpochs = WarmUpEpochs,
    };

    private sealed class Trained(SoftmaxModel model, int[] columns, CancellationToken cancellation) : ITrainedProbe
    {
        public IReadOnlyList<int> Columns => columns;
        public SoftmaxModel Model => model;
        public int[] Predict(IActivationMatrix activations) => LinearProbeData.Predict(model, activations, columns, cancellation);
    }
}
