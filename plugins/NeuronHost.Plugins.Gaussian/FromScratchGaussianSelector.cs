using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuronHost.Plugins.Gaussian;

/// <summary>The baseline the greedy selection is measured against: the same greedy MI selection
/// done the way Pitfalls' Gaussian.py does it — for every step, every candidate j and every class,
/// build Σ*_{S∪j} (read from cached Σ* columns), factorise it from scratch and evaluate every
/// token's density by forward substitution: O(|S|³ + n·|S|²) per candidate and class, nothing
/// carried over between candidates or steps except the Σ* entries themselves. Made as fast as
/// that allows, so the speed-up it is compared by is honest: double precision, parallel over
/// candidates, per-thread buffers, and the forward substitution done for a block of 64 tokens at a
/// time (tokens contiguous) with a register-blocked kernel: 3 rows × 16 tokens of accumulators, so
/// each loaded solved row feeds 3 FMAs. For benchmarks and cross-checks only.</summary>
public sealed unsafe class FromScratchGaussianSelector
{
    public const int TokenBlock = 64;   // tokens per forward-substitution block (a multiple of 16)
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
                var q = ws.Q;
                for (int r = 0; r < k; r++)
                {
                    var zr = z.AsSpan(r * TokenBlock, TokenBlock);
                    TensorPrimitives.Subtract(evalT.AsSpan((int)((long)set[r] * n + i0), w), stats.Means[off + set[r]], zr[..w]);
                    zr[w..].Clear();   // padding of the last block
                }
                ForwardSubstitute(m, k, z, q);
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

    /// <summary>Solves L·Z = Z in place for Z [k, TokenBlock] (row stride TokenBlock), L the
    /// row-major lower factor [k, k]; q[t] = Σ_r Z[r, t]² (the Mahalanobis term of token t).</summary>
    public static void ForwardSubstitute(double[] l, int k, double[] z, double[] q)
    {
        const int tb = TokenBlock;
        Array.Clear(q);
        bool blocked = Vector256.IsHardwareAccelerated && Fma.IsSupported;
        int r0 = 0;
        fixed (double* zp = z, lp = l)
        {
            for (; blocked && r0 + 3 <= k; r0 += 3)
            {
                // rows r0..r0+2 minus the contributions of the rows already solved (s < r0)
                double* l0 = lp + r0 * k, l1 = l0 + k, l2 = l1 + k;
                for (int c = 0; c < tb; c += 16)
                {
                    double* d0 = zp + r0 * tb + c, d1 = d0 + tb, d2 = d1 + tb;
                    Vector256<double> a0 = Vector256.Load(d0), a1 = Vector256.Load(d0 + 4), a2 = Vector256.Load(d0 + 8), a3 = Vector256.Load(d0 + 12);
                    Vector256<double> b0 = Vector256.Load(d1), b1 = Vector256.Load(d1 + 4), b2 = Vector256.Load(d1 + 8), b3 = Vector256.Load(d1 + 12);
                    Vector256<double> e0 = Vector256.Load(d2), e1 = Vector256.Load(d2 + 4), e2 = Vector256.Load(d2 + 8), e3 = Vector256.Load(d2 + 12);
                    double* zs = zp + c;
                    for (int s = 0; s < r0; s++, zs += tb)
                    {
                        var f0 = Vector256.Create(l0[s]); var f1 = Vector256.Create(l1[s]); var f2 = Vector256.Create(l2[s]);
                        var v = Vector256.Load(zs);
                        a0 = Fma.MultiplyAddNegated(f0, v, a0); b0 = Fma.MultiplyAddNegated(f1, v, b0); e0 = Fma.MultiplyAddNegated(f2, v, e0);
                        v = Vector256.Load(zs + 4);
                        a1 = Fma.MultiplyAddNegated(f0, v, a1); b1 = Fma.MultiplyAddNegated(f1, v, b1); e1 = Fma.MultiplyAddNegated(f2, v, e1);
                        v = Vector256.Load(zs + 8);
                        a2 = Fma.MultiplyAddNegated(f0, v, a2); b2 = Fma.MultiplyAddNegated(f1, v, b2); e2 = Fma.MultiplyAddNegated(f2, v, e2);
                        v = Vector256.Load(zs + 12);
                        a3 = Fma.MultiplyAddNegated(f0, v, a3); b3 = Fma.MultiplyAddNegated(f1, v, b3); e3 = Fma.MultiplyAddNegated(f2, v, e3);
                    }
                    a0.Store(d0); a1.Store(d0 + 4); a2.Store(d0 + 8); a3.Store(d0 + 12);
                    b0.Store(d1); b1.Store(d1 + 4); b2.Store(d1 + 8); b3.Store(d1 + 12);
                    e0.Store(d2); e1.Store(d2 + 4); e2.Store(d2 + 8); e3.Store(d2 + 12);
                }
                // the 3×3 triangle inside the group
                for (int i = 0; i < 3; i++) FinishRow(l, k, z, q, r0 + i, r0);
            }
            for (; r0 < k; r0++) FinishRow(l, k, z, q, r0, 0);   // rows left over (or no AVX2/FMA): plain AXPYs
        }
    }

    /// <summary>Row r minus the solved rows from..r−1, divided by L[r, r], added to q.</summary>
    private static void FinishRow(double[] l, int k, double[] z, double[] q, int r, int from)
    {
        var zr = z.AsSpan(r * TokenBlock, TokenBlock);
        for (int s = from; s < r; s++) TensorPrimitives.MultiplyAdd(z.AsSpan(s * TokenBlock, TokenBlock), -l[r * k + s], zr, zr);
        TensorPrimitives.Multiply(zr, 1 / l[r * k + r], zr);
        TensorPrimitives.MultiplyAdd(zr, zr, q, q);
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
