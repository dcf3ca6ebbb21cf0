using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

public enum LinearOrdering { NeuroX, Pitfalls }

/// <summary>Linguistic Correlation Analysis: an elastic-net probe over all neurons, neurons
/// ordered by its weights (NeuroX weight-mass sweep, or Pitfalls' mean |W|).</summary>
public sealed class LinearRanking : IRankingMethod
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

    /// <summary>λ1, λ2 actually used (after search) and the dev accuracy of each grid point.</summary>
    public (double L1, double L2) Chosen { get; private set; }
    public IReadOnlyList<(double L1, double L2, double DevAccuracy)> SearchResults { get; private set; } = [];

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var data = request.Data;
        var all = Enumerable.Range(0, data.Neurons.Count).ToArray();
        SoftmaxModel model;
        if (Search)
        {
            if (data.Dev is null) throw new PluginInputException("linear: Search needs a dev split to choose λ1, λ2");
            var results = new List<(double, double, double)>();
            SoftmaxModel? best = null; double bestAcc = double.NegativeInfinity; (double, double) bestL = default;
            foreach (var l1 in L1Grid)
                foreach (var l2 in L2Grid)
                {
                    var m = LinearProbeData.Train(data.Train, all, data.ClassCount, Options(l1, l2), context, best);
                    var acc = LinearProbeData.Accuracy(
                        LinearProbeData.Predict(m, data.Dev.Activations, all, context.Kernels, context.Cancellation), data.Dev.Labels.Span);
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
        Model = model;
        var neurons = data.Neurons;
        if (Ordering == LinearOrdering.Pitfalls)
            return Ranking.FromScores("linear", neurons, NeuronOrdering.MeanAbsWeight(model));
        var (order, score) = NeuronOrdering.WeightMass(model, Stride);
        return new Ranking("linear", order.Select(j => new RankedNeuron(j, neurons[j], score[j])).ToArray());
    }

    /// <summary>The probe the ranking was read from (after Rank).</summary>
    public SoftmaxModel? Model { get; private set; }

    private ElasticNetOptions Options(double l1, double l2) => new() { L1 = l1, L2 = l2, MaxIterations = MaxIterations, Solver = Solver, EarlyStoppingPatience = 0 };
}
