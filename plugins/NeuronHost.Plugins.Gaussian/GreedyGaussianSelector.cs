using System.Numerics.Tensors;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Gaussian;

/// <summary>One step of the greedy selection: the neuron added and the MI (bits) with it.</summary>
public readonly record struct SelectionStep(int Column, double MutualInformation, double Accuracy);

/// <summary>Greedy forward selection maximising the mutual information of the per-class
/// Gaussian probe, with incremental (pivoted) Cholesky updates instead of refactorising:
///
/// For each class c it keeps the Cholesky columns of Σ*_c on the selected set S (grown by one
/// column per step: O(|S|·D)), every candidate's conditional variance d_cj = Var(x_j | x_S),
/// every evaluation token's conditional residual r_cij = x_ij − E[x_j | x_S] (updated by one
/// rank-one correction per step: O(n·D)), and every token's accumulated log-density of x_S.
/// By the chain rule log N(x_{S∪j}) = log N(x_S) + log N(r_cij; 0, d_cj), so scoring all
/// candidates costs O(C·n·D) per step, independent of |S|. Memory: C·n·D floats for the
/// residuals, hence the cap on evaluation tokens.</summary>
public sealed class GreedyGaussianSelector(GaussianStatistics stats, float[] evalX, int[] evalY, int evalRows)
{
    /// <summary>Relative conditional variance below which a candidate is treated as a linear
    /// combination of the selected neurons (its density would be a spike) and skipped.</summary>
    public double DegenerateTolerance { get; init; } = 1e-7;

    /// <summary>Selects <paramref name="count"/> neurons; minimise=true picks the least informative
    /// neuron each step (Pitfalls' bottom-to-top Gaussian). Returns the steps and, for every
    /// neuron, its MI at the last step (for ordering the unselected rest).</summary>
    public (List<SelectionStep> Steps, double[] LastScores) Select(int count, bool minimise,
        IProgress<ProgressReport>? progress, CancellationToken cancellation)
    {
        int d = stats.Features, n = evalRows;
        var classes = Enumerable.Range(0, stats.Classes).Where(c => stats.Active[c]).ToArray();
        int cc = classes.Length;
        var classSlot = new int[stats.Classes]; Array.Fill(classSlot, -1);
        for (int k = 0; k < cc; k++) classSlot[classes[k]] = k;
        var y = new int[n];
        for (int i = 0; i < n; i++) y[i] = classSlot[evalY[i]];

        // entropy of the evaluation labels (nats)
        var freq = new double[cc];
        foreach (int c in y) freq[c]++;
        double entropy = -freq.Where(f => f > 0).Sum(f => f / n * Math.Log(f / n));

        // residuals r_cij = x_ij − μ_cj, float [cc][n*d]
        var resid = new float[cc][];
        Parallel.For(0, cc, k =>
        {
            var r = new float[(long)n * d];
            var mu = new float[d];
            for (int j = 0; j < d; j++) mu[j] = (float)stats.Means[classes[k] * d + j];
            for (int i = 0; i < n; i++) TensorPrimitives.Subtract(evalX.AsSpan(i * d, d), mu, r.AsSpan(i * d, d));
            resid[k] = r;
        });
        var fullDiag = stats.MapDiagonal();
        var condVar = new double[cc * d];
        for (int k = 0; k < cc; k++) Array.Copy(fullDiag, classes[k] * d, condVar, k * d, d);
        // accumulated log π_c + log N(x_S) per token, shifted by the per-token max (cc × n)
        var acc = new double[cc * n];
        for (int k = 0; k < cc; k++) for (int i = 0; i < n; i++) acc[k * n + i] = stats.LogPrior[classes[k]];
        var cholCols = new List<double[]>[cc];
        for (int k = 0; k < cc; k++) cholCols[k] = [];
        var dead = new bool[d];
        var steps = new List<SelectionStep>();
        var scores = new double[d];
        var column = new double[stats.Classes * d];
        int target = Math.Min(count, d);

        for (int t = 0; t < target; t++)
        {
            cancellation.ThrowIfCancellationRequested();
            for (int j = 0; j < d; j++)
                for (int k = 0; k < cc && !dead[j]; k++)
                    if (!(condVar[k * d + j] > DegenerateTolerance * fullDiag[classes[k] * d + j])) dead[j] = true;
            ScoreCandidates(resid, condVar, acc, y, n, d, cc, scores, cancellation);
            int best = -1; double bestScore = minimise ? double.PositiveInfinity : double.NegativeInfinity;
            for (int j = 0; j < d; j++)
            {
                if (dead[j]) { scores[j] = double.NaN; continue; }
                if (minimise ? scores[j] < bestScore : scores[j] > bestScore) { bestScore = scores[j]; best = j; }
            }
            if (best < 0) break; // every remaining neuron is degenerate
            double mi = (entropy + bestScore / n) / Math.Log(2);

            // Grow each class's Cholesky factor by the column of the chosen neuron.
            stats.MapColumn(best, column, cancellation);
            var invSd = new float[cc];
            Parallel.For(0, cc, k =>
            {
                int c = classes[k];
                double dv = condVar[k * d + best];
                var l = new double[d];
                Array.Copy(column, c * d, l, 0, d);
                foreach (var prev in cholCols[k])
                {
                    double f = prev[best];
                    if (f != 0) TensorPrimitives.MultiplyAdd(prev, -f, l, l);
                }
                double sd = Math.Sqrt(dv);
                TensorPrimitives.Divide(l, sd, l);
                cholCols[k].Add(l);
                var cv = condVar.AsSpan(k * d, d);
                for (int j = 0; j < d; j++) cv[j] -= l[j] * l[j];
                cv[best] = 0;

                // tokens: add the chosen neuron's conditional log-density, then correct residuals
                var r = resid[k];
                var lf = new float[d];
                for (int j = 0; j < d; j++) lf[j] = (float)l[j];
                double logNorm = -0.5 * Math.Log(2 * Math.PI * dv);
                for (int i = 0; i < n; i++)
                {
                    var row = r.AsSpan(i * d, d);
                    double z = row[best] / sd;
                    acc[k * n + i] += logNorm - 0.5 * z * z;
                    TensorPrimitives.MultiplyAdd(lf, (float)-z, row, row);
                }
            });
            dead[best] = true;
            // shift each token's class scores by their max (keeps the float scoring precise)
            double correct = 0;
            for (int i = 0; i < n; i++)
            {
                double max = double.NegativeInfinity; int arg = 0;
                for (int k = 0; k < cc; k++) if (acc[k * n + i] > max) { max = acc[k * n + i]; arg = k; }
                for (int k = 0; k < cc; k++) acc[k * n + i] -= max;
                if (arg == y[i]) correct++;
            }
            steps.Add(new SelectionStep(best, mi, correct / n));
            progress?.Report(new ProgressReport("gaussian selection", t + 1, target, "neurons"));
        }
        var last = new double[d];
        for (int j = 0; j < d; j++) last[j] = double.IsNaN(scores[j]) ? double.NaN : (entropy + scores[j] / n) / Math.Log(2);
        return (steps, last);
    }

    /// <summary>scores[j] = Σ_i log p(y_i | x_{S∪j,i}) for every candidate j (nats).</summary>
    private static void ScoreCandidates(float[][] resid, double[] condVar, double[] acc, int[] y, int n, int d, int cc,
        double[] scores, CancellationToken cancellation)
    {
        const int width = 128;
        int blocks = (d + width - 1) / width;
        // per class and candidate: −½·log(2π d) and ½/d
        var logNorm = new float[cc * d]; var halfPrec = new float[cc * d];
        for (int k = 0; k < cc * d; k++)
        {
            double v = Math.Max(condVar[k], 1e-300);
            logNorm[k] = (float)(-0.5 * Math.Log(2 * Math.PI * v));
            halfPrec[k] = (float)(0.5 / v);
        }
        var accF = new float[cc * n];
        for (int k = 0; k < accF.Length; k++) accF[k] = (float)acc[k];
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellation }, blk =>
        {
            int lo = blk * width, w = Math.Min(width, d - lo);
            var buf = new float[cc * w]; var max = new float[w]; var sum = new float[w]; var tmp = new float[w];
            var total = new double[w];
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < cc; k++)
                {
                    var b = buf.AsSpan(k * w, w);
                    var r = resid[k].AsSpan(i * d + lo, w);
                    // b = a_ci + logNorm − r²·halfPrec
                    TensorPrimitives.Multiply(r, r, b);
                    TensorPrimitives.Multiply(b, halfPrec.AsSpan(k * d + lo, w), b);
                    TensorPrimitives.Subtract(logNorm.AsSpan(k * d + lo, w), b, b);
                    TensorPrimitives.Add(b, accF[k * n + i], b);
                    if (k == 0) b.CopyTo(max); else TensorPrimitives.Max(max, b, max);
                }
                sum.AsSpan().Clear();
                for (int k = 0; k < cc; k++)
                {
                    TensorPrimitives.Subtract(buf.AsSpan(k * w, w), max, tmp);
                    TensorPrimitives.Exp(tmp, tmp);
                    TensorPrimitives.Add(sum, tmp, sum);
                }
                TensorPrimitives.Log(sum, sum);
                var gold = buf.AsSpan(y[i] * w, w);
                for (int j = 0; j < w; j++) total[j] += gold[j] - max[j] - sum[j];
            }
            for (int j = 0; j < w; j++) scores[lo + j] = total[j];
        });
    }
}
