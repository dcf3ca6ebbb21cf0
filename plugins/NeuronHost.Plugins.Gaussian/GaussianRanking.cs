using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Gaussian;

public enum SelectionSplit { Dev, Train }
public enum SelectionDirection { Best, Worst }

/// <summary>The Gaussian ranking (Torroba Hennigen et al. 2020 as used by Antverg &amp; Belinkov):
/// greedy forward selection of the neuron that maximises the mutual information between the
/// labels and a per-class Gaussian probe (MAP estimate, see <see cref="GaussianStatistics"/>).
/// The Gaussians are estimated on all training tokens; MI is measured on at most
/// MaxSelectionTokens seeded-random tokens of the dev split (Pitfalls) or of train (NeuroX).
/// Neurons past MaxNeurons follow in the order of their MI at the last step.</summary>
public sealed class GaussianRanking : IRankingMethod
{
    public PluginInfo Info { get; } = new("gaussian", PluginKind.Ranking,
        "Greedy mutual-information selection with a per-class Gaussian probe (incremental Cholesky)", new Version(1, 0));

    [PluginParameter("neurons selected greedily (the rest follow by last-step MI)", Min = 1, Max = 4096)] public int MaxNeurons { get; set; } = 400;
    [PluginParameter("split MI is measured on: dev (Pitfalls) or train (NeuroX)")] public SelectionSplit SelectOn { get; set; } = SelectionSplit.Dev;
    [PluginParameter("at most this many tokens (seeded random subset) for MI; 0 = all", Min = 0)] public int MaxSelectionTokens { get; set; } = 4000;
    [PluginParameter("cap on the residual buffers (classes × tokens × neurons floats), in MB; lowers the token count")]
    public int MaxMemoryMegabytes { get; set; } = 2048;
    [PluginParameter("best (top-to-bottom) or worst (Pitfalls' bottom-to-top selection)")] public SelectionDirection Direction { get; set; } = SelectionDirection.Best;
    [PluginParameter("prior scatter: scaled (Λ0 = (2D+4)·diag class covariance; docs/rankings.md has the study) or pitfalls (Pitfalls' Gaussian.py exactly)")]
    public GaussianPrior Prior { get; set; } = GaussianPrior.Scaled;

    /// <summary>The steps of the last Rank call (column, MI in bits, accuracy on the MI tokens).</summary>
    public IReadOnlyList<SelectionStep> Steps { get; private set; } = [];
    public int TokensUsed { get; private set; }

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var data = request.Data;
        var stats = new GaussianStatistics(data, context, Info.Name, prior: Prior);
        var split = SelectOn == SelectionSplit.Dev && data.Dev is not null ? data.Dev : data.Train;
        if (SelectOn == SelectionSplit.Dev && data.Dev is null) context.Log.Warn("gaussian: no dev split; measuring MI on train");
        int active = stats.Active.Count(a => a);
        long perToken = (long)active * stats.Features * sizeof(float);
        int byMemory = (int)Math.Max(1, (long)MaxMemoryMegabytes * 1024 * 1024 / Math.Max(perToken, 1));
        int cap = MaxSelectionTokens <= 0 ? byMemory : Math.Min(MaxSelectionTokens, byMemory);
        var (x, y, rows) = EvaluationRows.Gather(split, stats.Active, cap, context.Seed, context.Cancellation);
        if (rows == 0) throw new PluginInputException("gaussian: no tokens of a trained class to measure MI on");
        if (rows < split.Tokens) context.Log.Info($"gaussian: MI measured on {rows} of {split.Tokens} tokens");
        TokensUsed = rows;
        var selector = new GreedyGaussianSelector(stats, x, y, rows);
        var (steps, last) = selector.Select(MaxNeurons, Direction == SelectionDirection.Worst, context.Progress, context.Cancellation);
        Steps = steps;
        var neurons = data.Neurons;
        var order = new List<RankedNeuron>(neurons.Count);
        var taken = new bool[neurons.Count];
        foreach (var s in steps) { order.Add(new RankedNeuron(s.Column, neurons[s.Column], s.MutualInformation)); taken[s.Column] = true; }
        var rest = Enumerable.Range(0, neurons.Count).Where(j => !taken[j]);
        rest = Direction == SelectionDirection.Best
            ? rest.OrderByDescending(j => double.IsNaN(last[j]) ? double.NegativeInfinity : last[j]).ThenBy(j => j)
            : rest.OrderBy(j => double.IsNaN(last[j]) ? double.PositiveInfinity : last[j]).ThenBy(j => j);
        foreach (int j in rest) order.Add(new RankedNeuron(j, neurons[j], last[j]));
        return new Ranking(Direction == SelectionDirection.Best ? "gaussian" : "gaussian-worst", order);
    }
}
