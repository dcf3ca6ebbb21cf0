namespace NeuronHost.Plugins.Gaussian;

/// <summary>The baseline the greedy selection is measured against: the same greedy MI selection
/// done the way Pitfalls' Gaussian.py does it — for every step, every candidate and every class,
/// build Σ*_{S∪j} and factorise it from scratch, then evaluate every token's density
/// (O(|S|³ + n·|S|²) per candidate and class). Parallel over candidates. For benchmarks and
/// cross-checks only.</summary>
public sealed class FromScratchGaussianSelector
{
    private readonly GaussianStatistics stats;
    private readonly float[] x; private readonly int[] y; private readonly int n;
    private readonly int[] classes;
    private readonly double entropy;
    private readonly double[] diag;
    private readonly Dictionary<int, double[]> columns = [];   // Σ* column of each selected neuron [C, D]

    public FromScratchGaussianSelector(GaussianStatistics stats, float[] evalX, int[] evalY, int evalRows)
    {
        this.stats = stats; x = evalX; y = evalY; n = evalRows;
        classes = Enumerable.Range(0, stats.Classes).Where(c => stats.Active[c]).ToArray();
        var freq = new double[stats.Classes];
        for (int i = 0; i < n; i++) freq[y[i]]++;
        entropy = -freq.Where(f => f > 0).Sum(f => f / n * Math.Log(f / n));
        diag = stats.MapDiagonal();
    }

    public List<SelectionStep> Select(int count, CancellationToken cancellation = default)
    {
        var selected = new List<int>(); var steps = new List<SelectionStep>();
        for (int t = 0; t < count; t++)
        {
            var candidates = Enumerable.Range(0, stats.Features).Where(j => !selected.Contains(j)).ToArray();
            var mi = new double[candidates.Length];
            Parallel.For(0, candidates.Length, new ParallelOptions { CancellationToken = cancellation },
                i => mi[i] = MutualInformation(selected, candidates[i]));
            int best = 0;
            for (int i = 1; i < mi.Length; i++) if (mi[i] > mi[best]) best = i;
            Add(selected, candidates[best]);
            steps.Add(new SelectionStep(candidates[best], mi[best], double.NaN));
        }
        return steps;
    }

    /// <summary>Makes <paramref name="neuron"/> part of the selected set (caches its Σ* column).</summary>
    public void Add(List<int> selected, int neuron)
    {
        if (!columns.ContainsKey(neuron))
        {
            var col = new double[stats.Classes * stats.Features];
            stats.MapColumn(neuron, col, default);
            columns[neuron] = col;
        }
        selected.Add(neuron);
    }

    /// <summary>MI (bits) of the probe on selected ∪ {candidate}, refactorising every class.</summary>
    public double MutualInformation(IReadOnlyList<int> selected, int candidate)
    {
        int k = selected.Count + 1, d = stats.Features;
        var set = selected.Append(candidate).ToArray();
        var logJoint = new double[n * classes.Length];
        var m = new double[k * k]; var z = new double[k];
        for (int a = 0; a < classes.Length; a++)
        {
            int c = classes[a];
            for (int r = 0; r < k; r++)
                for (int s = 0; s <= r; s++)
                {
                    double v = r == s ? diag[c * d + set[r]]
                        : columns.TryGetValue(set[s], out var col) ? col[c * d + set[r]] : columns[set[r]][c * d + set[s]];
                    m[r * k + s] = v; m[s * k + r] = v;
                }
            if (!DenseCholesky.TryFactor(m, k)) return double.NegativeInfinity;
            double constant = stats.LogPrior[c] - 0.5 * (k * Math.Log(2 * Math.PI) + DenseCholesky.LogDet(m, k));
            for (int i = 0; i < n; i++)
            {
                for (int r = 0; r < k; r++) z[r] = x[(long)i * d + set[r]] - stats.Means[c * d + set[r]];
                DenseCholesky.ForwardSolve(m, k, z);
                double q = 0;
                for (int r = 0; r < k; r++) q += z[r] * z[r];
                logJoint[i * classes.Length + a] = constant - 0.5 * q;
            }
        }
        double ll = 0;
        for (int i = 0; i < n; i++)
        {
            double max = double.NegativeInfinity; int gold = -1;
            for (int a = 0; a < classes.Length; a++)
            {
                max = Math.Max(max, logJoint[i * classes.Length + a]);
                if (classes[a] == y[i]) gold = a;
            }
            double s = 0;
            for (int a = 0; a < classes.Length; a++) s += Math.Exp(logJoint[i * classes.Length + a] - max);
            ll += logJoint[i * classes.Length + gold] - max - Math.Log(s);
        }
        return (entropy + ll / n) / Math.Log(2);
    }
}
