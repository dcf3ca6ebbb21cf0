using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

public enum LinearOrdering { NeuroX, Pitfalls }

/// <summary>How the probe the ranking reads is trained.</summary>
public enum LinearTrainer
{
    /// <summary>The elastic-net objective on standardised inputs, solved to its optimum (OWL-QN or FISTA).</summary>
    ElasticNet,
    /// <summary>NeuroX's trainer: Adam on raw inputs for a fixed number of epochs (<see cref="NeuroxAdamTrainer"/>).</summary>
    NeuroxAdam,
}

/// <summary>Linguistic Correlation Analysis: a probe over all neurons, neurons ordered by its
/// weights (NeuroX weight-mass sweep, or Pitfalls' mean |W|). By default the probe minimises
/// mean cross-entropy + λ1·Σ|W| + λ2·‖W‖_F over z-scored activations, to convergence; with
/// trainer: neurox-adam it is NeuroX's Adam-trained probe on raw activations, whose weights (and
/// so ordering) differ from that optimum.</summary>
public sealed class LinearRanking : IRankingOverHeldRows
{
    public PluginInfo Info { get; } = new("linear", PluginKind.Ranking,
        "LCA: elastic-net logistic regression over all neurons, ordered by weight mass (neurox) or mean |W| (pitfalls)",
        new Version(1, 0));

    [PluginParameter("neurox (weight-mass sweep) or pitfalls (mean over classes of |W|)")]
    public LinearOrdering Ordering { get; set; } = LinearOrdering.NeuroX;
    [PluginParameter("L1 weight λ1 on Σ|W|", Min = 0)] public double L1 { get; set; } = 1e-3;
    [PluginParameter("L2 weight λ2 on the (un-squared) Frobenius norm ‖W‖", Min = 0)] public double L2 { get; set; } = 1e-2;
    [PluginParameter("choose λ1, λ2 from the grids below by dev accuracy")] public bool Search { get; set; }
    [PluginParameter("λ1 values tried when Search is on", Min = 0)] public double[] L1Grid { get; set; } = [0, 1e-5, 1e-4, 1e-3];
    [PluginParameter("λ2 values tried when Search is on", Min = 0)] public double[] L2Grid { get; set; } = [0, 1e-3, 1e-2];
    [PluginParameter("solver: owl-qn (L-BFGS, L1 orthant-wise) or fista")] public ElasticNetSolver Solver { get; set; } = ElasticNetSolver.OwlQn;
    [PluginParameter("maximum solver iterations", Min = 1, Max = 100_000)] public int MaxIterations { get; set; } = 300;
    [PluginParameter("steps of the weight-mass sweep (NeuroX: 100)", Min = 1, Max = 100_000)] public int Stride { get; set; } = 100;
    [PluginParameter("elastic-net (the objective solved to its optimum on z-scored inputs) or neurox-adam (NeuroX's Adam probe on raw inputs)")]
    public LinearTrainer Trainer { get; set; } = LinearTrainer.ElasticNet;
    [PluginParameter("neurox-adam: epochs", Min = 1, Max = 1000)] public int Epochs { get; set; } = 10;
    [PluginParameter("neurox-adam: rows per batch", Min = 1)] public int BatchSize { get; set; } = 128;
    [PluginParameter("neurox-adam: Adam learning rate", Min = 0)] public double LearningRate { get; set; } = 1e-3;

    /// <summary>λ1, λ2 actually used (after search) and the dev accuracy of each grid point.</summary>
    public (double L1, double L2) Chosen { get; private set; }
    public IReadOnlyList<(double L1, double L2, double DevAccuracy)> SearchResults { get; private set; } = [];

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var data = request.Data;
        var all = Enumerable.Range(0, data.Neurons.Count).ToArray();
        SoftmaxModel model;
        if (Trainer == LinearTrainer.NeuroxAdam)
        {
            if (Search) throw new PluginInputException("linear: search is not available with trainer neurox-adam (NeuroX trains one probe with the given λ1, λ2)");
            var x = data.Train.Activations.GatherColumns(all, context.Cancellation);
            model = NeuroxAdamTrainer.Fit(x, (int)data.Train.Activations.Rows, all.Length, data.Train.Labels.Span, data.ClassCount,
                L1, L2, Epochs, BatchSize, LearningRate, context.Seed, context.Kernels, context.Progress, context.Cancellation);
            Chosen = (L1, L2);
        }
        else if (Search)
        {
            if (data.Dev is null) throw new PluginInputException("linear: Search needs a dev split to choose λ1, λ2");
            var results = new List<(double, double, double)>();
            SoftmaxModel? best = null; double bestAcc = double.NegativeInfinity; (double, double) bestL = default;
            foreach (var l1 in L1Grid)
                foreach (var l2 in L2Grid)
                {
                    var m = LinearProbeData.Train(data.Train, all, data.ClassCount, Options(l1, l2), context, best);
                    var acc = LinearProbeData.Accuracy(
                        LinearProbeData.Predict(m, data.Dev.Activations, all, context.Cancellation), data.Dev.Labels.Span);
                    results.Add((l1, l2, acc));
                    context.Log.Info($"linear: λ1={l1:g3} λ2={l2:g3} dev accuracy {acc:P2}");
                    // ties go to the stronger regularisation (sparser, more interpretable weights)
                    if (acc > bestAcc + 1e-9 || (Math.Abs(acc - bestAcc) <= 1e-9 && l1 + l2 > bestL.Item1 + bestL.Item2))
                    { bestAcc = acc; best = m; bestL = (l1, l2); }
                }
            SearchResults = results;
            Chosen = bestL;
            model = best!;
        }
        else
        {
            model = LinearProbeData.Train(data.Train, all, data.ClassCount, Options(L1, L2), context);
            Chosen = (L1, L2);
        }
        return Order(model, data.Neurons);
    }

    private Ranking Order(SoftmaxModel model, IReadOnlyList<NeuronRef> neurons)
    {
        Model = model;
        if (Ordering == LinearOrdering.Pitfalls)
            return Ranking.FromScores("linear", neurons, NeuronOrdering.MeanAbsWeight(model));
        var (order, score) = NeuronOrdering.WeightMass(model, Stride);
        return new Ranking("linear", order.Select(j => new RankedNeuron(j, neurons[j], score[j])).ToArray());
    }

    public string? WhyRowsNeeded() =>
        Trainer == LinearTrainer.NeuroxAdam ? "trainer neurox-adam (Adam over shuffled batches of raw rows)"
        : Search ? "search (it predicts on dev for every λ1, λ2)"
        : null;

    /// <summary>The elastic-net probe over train rows its holders keep (a cluster's silos): the
    /// model <see cref="Rank"/> trains on the same rows, to the bit, from the holders' exact pass sums.</summary>
    public Ranking RankOverHeldRows(HeldRowsTask task, IRowHolders holders, IPluginContext context)
    {
        if (WhyRowsNeeded() is { } why) throw new PluginInputException($"linear: {why} needs the rows in one place");
        var model = HeldRowsTraining.Fit(task, holders, Options(L1, L2), context);
        Chosen = (L1, L2);
        return Order(model, task.Neurons);
    }

    public IHeldRowsService Serve(HeldRows rows, IPluginContext context) => new LinearHeldRowsService(rows, context);

    /// <summary>The probe the ranking was read from (after Rank).</summary>
    public SoftmaxModel? Model { get; private set; }

    private ElasticNetOptions Options(double l1, double l2) => new() { L1 = l1, L2 = l2, MaxIterations = MaxIterations, Solver = Solver, EarlyStoppingPatience = 0 };
}
