using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Gaussian;

/// <summary>The Gaussian probe on a neuron subset S: p(y | x_S) ∝ π_y·N(x_S; μ_y,S, Σ*_y,SS)
/// with the MAP Σ* of <see cref="GaussianStatistics"/> (prior strength from all D neurons,
/// as Pitfalls does). A Σ* that is not numerically positive definite gets diagonal jitter.</summary>
public sealed class GaussianProbe : IProbe
{
    public PluginInfo Info { get; } = new("gaussian-probe", PluginKind.Probe,
        "Per-class multivariate Gaussian (normal-inverse-Wishart MAP), Bayes rule with the train prior", new Version(1, 0));

    /// <summary>Scoring costs tokens × neurons² × classes (a triangular solve per token and class):
    /// on 30k tokens, 12 classes and all 3,072 neurons of a small model that is hours, so larger
    /// subsets are refused and the grid skips them (its all-neuron oracle included).</summary>
    [PluginParameter("most neurons the probe trains on (cost grows with neurons squared); the grid skips larger k and the oracle beyond it", Min = 1, Max = 4096)]
    public int MaxNeurons { get; set; } = 400;

    [PluginParameter("floor of the prior's per-class variance, as a fraction of the neuron's overall variance (0 = Pitfalls exactly)")]
    public double VarianceFloor { get; set; } = GaussianStatistics.DefaultVarianceFloor;

    [PluginParameter("prior scatter: scaled (Λ0 = (2D+4)·diag class covariance; docs/rankings.md has the study) or pitfalls (Pitfalls' Gaussian.py exactly)")]
    public GaussianPrior Prior { get; set; } = GaussianPrior.Scaled;

    public ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context)
    {
        if (columns.Count == 0) throw new PluginInputException("gaussian-probe needs at least one neuron column");
        if (columns.Count > MaxNeurons)
            throw new PluginInputException($"gaussian-probe on {columns.Count} neurons exceeds max-neurons = {MaxNeurons} (its cost grows with the neurons squared); raise max-neurons to run it anyway");
        return GaussianModel.Fit(Statistics(data, context), columns, context, WarnOnce);

        // A grid fits this probe dozens of times; bottom-k of ReLU layers are often dead neurons,
        // and one line saying so is enough.
        void WarnOnce(string message)
        {
            if (Interlocked.Increment(ref singularWarnings) == 1)
                context.Log.Warn(message + " (later fits of this probe with the same problem are not reported)");
        }
    }

    private int singularWarnings;

    // The class moments are one pass over all training rows; a grid trains this probe on the same
    // data (and its control relabelling) dozens of times, so each data set's statistics are kept.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ProbingData, GaussianStatistics> statistics = new();

    private GaussianStatistics Statistics(ProbingData data, IPluginContext context)
    {
        if (statistics.TryGetValue(data, out var cached) && cached.VarianceFloor == VarianceFloor && cached.Prior == Prior) return cached;
        var stats = new GaussianStatistics(data, context, Info.Name, VarianceFloor, Prior);
        statistics.AddOrUpdate(data, stats);
        return stats;
    }
}

/// <summary>A fitted Gaussian probe: per active class the mean, the Cholesky factor of Σ*_SS and
/// log π − ½·log det(2πΣ).</summary>
public sealed class GaussianModel : ITrainedProbe
{
    private readonly int[] columns;
    private readonly int[] classes;
    private readonly double[][] means, factors;
    private readonly double[] constants;
    private readonly CancellationToken cancellation;

    private GaussianModel(int[] columns, int[] classes, double[][] means, double[][] factors, double[] constants, CancellationToken ct)
    { this.columns = columns; this.classes = classes; this.means = means; this.factors = factors; this.constants = constants; cancellation = ct; }

    public IReadOnlyList<int> Columns => columns;

    public static GaussianModel Fit(GaussianStatistics stats, IReadOnlyList<int> columns, IPluginContext context, Action<string>? warn = null)
    {
        warn ??= context.Log.Warn;
        var cols = columns.ToArray();
        var subs = stats.MapSubmatrices(cols, context.Kernels, context.Cancellation);
        var active = Enumerable.Range(0, stats.Classes).Where(c => stats.Active[c]).ToArray();
        int k = cols.Length;
        var means = new double[active.Length][]; var factors = new double[active.Length][]; var consts = new double[active.Length];
        var jittered = new List<string>();
        for (int a = 0; a < active.Length; a++)
        {
            int c = active[a];
            means[a] = cols.Select(j => stats.Means[c * stats.Features + j]).ToArray();
            var m = subs[c]!;
            double diagonal = 0;
            for (int i = 0; i < k; i++) diagonal += m[i * k + i] / k;
            double jitter = DenseCholesky.FactorWithJitter(m, k);
            // Round-off jitter (relative 1e-12) changes nothing; only a real rank problem is worth a line.
            if (diagonal == 0 && jitter > 0) jittered.Add($"{c} (zero variance: the neurons are constant in this class)");
            else if (jitter > 1e-6 * diagonal) jittered.Add($"{c} ({jitter / diagonal:g2} of the mean variance)");
            factors[a] = m;
            consts[a] = stats.LogPrior[c] - 0.5 * (k * Math.Log(2 * Math.PI) + DenseCholesky.LogDet(m, k));
        }
        if (jittered.Count > 0)
            warn($"gaussian-probe: near-singular covariance of class(es) {string.Join(", ", jittered)} on {k} neurons; diagonal jitter added");
        return new GaussianModel(cols, active, means, factors, consts, context.Cancellation);
    }

    /// <summary>log π_c + log N(x_S) per row and active class ([rows, activeClasses]), and the
    /// class index of each column of that matrix.</summary>
    public (double[] LogJoint, int[] Classes) LogJoint(IActivationMatrix activations)
    {
        var x = activations.GatherColumns(columns, cancellation);
        int rows = (int)activations.Rows, k = columns.Length, cc = classes.Length;
        var result = new double[(long)rows * cc];
        Parallel.For(0, rows, () => new double[k], (i, _, z) =>
        {
            for (int a = 0; a < cc; a++)
            {
                for (int j = 0; j < k; j++)
                {
                    float v = x[(long)i * k + j];
                    if (!float.IsFinite(v)) throw new NonFiniteActivationException(i, columns[j], v);
                    z[j] = v - means[a][j];
                }
                DenseCholesky.ForwardSolve(factors[a], k, z);
                double q = 0;
                for (int j = 0; j < k; j++) q += z[j] * z[j];
                result[(long)i * cc + a] = constants[a] - 0.5 * q;
            }
            return z;
        }, _ => { });
        return (result, classes);
    }

    public int[] Predict(IActivationMatrix activations)
    {
        var (lj, cls) = LogJoint(activations);
        int cc = cls.Length, rows = lj.Length / Math.Max(cc, 1);
        var pred = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            int best = 0;
            for (int a = 1; a < cc; a++) if (lj[(long)i * cc + a] > lj[(long)i * cc + best]) best = a;
            pred[i] = cls[best];
        }
        return pred;
    }

    /// <summary>Mutual information (bits) between labels and the probe on a split: (H(labels) −
    /// mean −log p(y|x)) / ln 2, H from the split's own label distribution (as Pitfalls).</summary>
    public double MutualInformation(DataSplit split)
    {
        var (lj, cls) = LogJoint(split.Activations);
        int cc = cls.Length;
        var slot = new Dictionary<int, int>();
        for (int a = 0; a < cc; a++) slot[cls[a]] = a;
        var y = split.Labels.Span;
        var freq = new Dictionary<int, int>();
        double nll = 0; int n = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (!slot.TryGetValue(y[i], out int a)) continue;
            double max = double.NegativeInfinity;
            for (int b = 0; b < cc; b++) max = Math.Max(max, lj[(long)i * cc + b]);
            double s = 0;
            for (int b = 0; b < cc; b++) s += Math.Exp(lj[(long)i * cc + b] - max);
            nll -= lj[(long)i * cc + a] - max - Math.Log(s);
            n++;
            freq[y[i]] = freq.GetValueOrDefault(y[i]) + 1;
        }
        double h = -freq.Values.Sum(f => (double)f / n * Math.Log((double)f / n));
        return (h - nll / n) / Math.Log(2);
    }
}
