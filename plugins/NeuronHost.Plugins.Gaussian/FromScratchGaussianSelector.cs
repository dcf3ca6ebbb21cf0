using System.Numerics.Tensors;

namespace NeuronHost.Plugins.Gaussian;

/// <summary>The baseline the greedy selection is measured against: the same greedy MI selection
/// done the way Pitfalls' Gaussian.py does it — for every step, every candidate j and every class,
/// build Σ*_{S∪j} (read from cached Σ* columns), factorise it from scratch and evaluate every
/// token's density by forward substitution: O(|S|³ + n·|S|²) per candidate and class, nothing
/// carried over between candidates or steps except the Σ* entries themselves. Made as fast as
/// that allows, so the speed-up it is compared by is honest: double precision, parallel over
/// candidates, per-thread buffers, and the forward substitution done for a block of tokens at a
/// time as vector AXPYs (tokens contiguous). For benchmarks and cross-checks only.</summary>
public sealed class FromScratchGaussianSelector
{
    private const int TokenBlock = 128;   // tokens per forward-substitution block (fits L1/L2 at |S| ≤ ~100)
    private readonly GaussianStatistics stats;
    private readonly int n, d;
    private readonly int[] classes;
    private readonly int[] goldSlot;        // per token: index of its class in `classes`
    private readonly double entropy;
    private readonly double[] diag;
    private readonly double[] evalT;        // evaluation tokens transposed: [D, n], double
    private readonly List<double[]> selectedColumns = [];   // Σ* column [C, D] of each selected neuron, in order
    private readonly List<int> selected = [];

    public FromScratchGaussianSelector(GaussianStatistics stats, float[] evalX, int[] evalY, int evalRows)
    {
        this.stats = stats; n = evalRows; d = stats.Features;
        classes = Enumerable.Range(0, stats.Classes).Where(c => stats.Active[c]).ToArray();
        goldSlot = new int[n];
        var freq = new double[stats.Classes];
        for (int i = 0; i < n; i++) { freq[evalY[i]]++; goldSlot[i] = Array.IndexOf(classes, evalY[i]); }
        entropy = -freq.Where(f => f > 0).Sum(f => f / n * Math.Log(f / n));
        diag = stats.MapDiagonal();
        evalT = new double[(long)d * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) evalT[(long)j * n + i] = evalX[(long)i * d + j];
    }

    /// <summary>The neurons selected so far, in order.</summary>
    public IReadOnlyList<int> Selected => selected;

    /// <summary>One step: MI (bits) of selected ∪ {j} for every neuron j (NaN for selected ones,
    /// −∞ where a class's Σ* sub-block is not positive definite).</summary>
    public double[] ScoreAll(CancellationToken cancellation = default)
    {
        var mi = new double[d];
        var isSelected = new bool[d];
        foreach (int s in selected) isSelected[s] = true;
        Parallel.For(0, d, new ParallelOptions { CancellationToken = cancellation }, () => new Workspace(selected.Count + 1, n, classes.Length),
            (j, _, ws) => { mi[j] = isSelected[j] ? double.NaN : MutualInformation(j, ws); return ws; }, _ => { });
        return mi;
    }

    /// <summary>Greedy selection of <paramref name="count"/> more neurons; each step scores every
    /// candidate from scratch and adds the best (first on ties). <paramref name="onStep"/> sees
    /// every step's full MI vector.</summary>
    public List<SelectionStep> Select(int count, CancellationToken cancellation = default, Action<int, double[]>? onStep = null)
    {
        var steps = new List<SelectionStep>();
        for (int t = 0; t < count && selected.Count < d; t++)
        {
            var mi = ScoreAll(cancellation);
            int best = -1;
            for (int j = 0; j < d; j++)
                if (!double.IsNaN(mi[j]) && (best < 0 || mi[j] > mi[best])) best = j;
            if (best < 0 || double.IsNegativeInfinity(mi[best])) break;
            onStep?.Invoke(t, mi);
            Add(best, cancellation);
            steps.Add(new SelectionStep(best, mi[best], double.NaN));
        }
        return steps;
    }

    /// <summary>Makes <paramref name="neuron"/> part of the selected set (caches its Σ* column).</summary>
    public void Add(int neuron, CancellationToken cancellation = default)
    {
        var col = new double[stats.Classes * d];
        stats.MapColumn(neuron, col, cancellation);
        selectedColumns.Add(col);
        selected.Add(neuron);
    }

    /// <summary>MI (bits) of the probe on selected ∪ {candidate}, refactorising every class.</summary>
    public double MutualInformation(int candidate) => MutualInformation(candidate, new Workspace(selected.Count + 1, n, classes.Length));

    private double MutualInformation(int candidate, Workspace ws)
    {
        int k = selected.Count + 1, cc = classes.Length;
        var set = ws.Set; var m = ws.M; var z = ws.Z; var logJoint = ws.LogJoint;
        for (int r = 0; r < k - 1; r++) set[r] = selected[r];
        set[k - 1] = candidate;
        for (int a = 0; a < cc; a++)
        {
            int c = classes[a], off = c * d;
            // Σ*_{S∪j} for class c: entry (r, s), s < r, is column s (a selected neuron) at row set[r]
            for (int r = 0; r < k; r++)
            {
                for (int s = 0; s < r; s++) m[r * k + s] = selectedColumns[s][off + set[r]];
                m[r * k + r] = diag[off + set[r]];
            }
            if (!DenseCholesky.TryFactor(m.AsSpan(0, k * k), k)) return double.NegativeInfinity;
            double constant = stats.LogPrior[c] - 0.5 * (k * Math.Log(2 * Math.PI) + DenseCholesky.LogDet(m, k));
            // forward substitution L·z = x − μ for a block of tokens at a time: row r of z holds the block's tokens
            for (int i0 = 0; i0 < n; i0 += TokenBlock)
            {
                int w = Math.Min(TokenBlock, n - i0);
                var q = ws.Q.AsSpan(0, w);
                q.Clear();
                for (int r = 0; r < k; r++)
                {
                    var zr = z.AsSpan(r * TokenBlock, w);
                    TensorPrimitives.Subtract(evalT.AsSpan((int)((long)set[r] * n + i0), w), stats.Means[off + set[r]], zr);
                    for (int s = 0; s < r; s++)
                        TensorPrimitives.MultiplyAdd(z.AsSpan(s * TokenBlock, w), -m[r * k + s], zr, zr);
                    TensorPrimitives.Multiply(zr, 1 / m[r * k + r], zr);
                    TensorPrimitives.MultiplyAdd(zr, zr, q, q);
                }
                for (int i = 0; i < w; i++) logJoint[(i0 + i) * cc + a] = constant - 0.5 * q[i];
            }
        }
        double ll = 0;
        for (int i = 0; i < n; i++)
        {
            var row = logJoint.AsSpan(i * cc, cc);
            double max = TensorPrimitives.Max<double>(row), s = 0;
            for (int a = 0; a < cc; a++) s += Math.Exp(row[a] - max);
            ll += row[goldSlot[i]] - max - Math.Log(s);
        }
        return (entropy + ll / n) / Math.Log(2);
    }

    /// <summary>Per-thread buffers for one |S|.</summary>
    private sealed class Workspace(int k, int n, int classCount)
    {
        public readonly int[] Set = new int[k];
        public readonly double[] M = new double[k * k];
        public readonly double[] Z = new double[k * TokenBlock];
        public readonly double[] Q = new double[TokenBlock];
        public readonly double[] LogJoint = new double[n * classCount];
    }
}
