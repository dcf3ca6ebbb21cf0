using System.Numerics.Tensors;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Gaussian;

/// <summary>The scale of the normal-inverse-Wishart prior's scatter matrix Λ0.</summary>
public enum GaussianPrior
{
    /// <summary>Pitfalls' Gaussian.py: Λ0 = diag of the class covariance, so with ν0 = D + 2 the
    /// prior says "variances ≈ 1/(2D + 4) of the class's own": a class with N_c tokens gets its
    /// variances multiplied by about (N_c + 1)/(N_c + 2D + 4) (0.009 for 38 tokens and D = 2,048).</summary>
    Pitfalls,
    /// <summary>Λ0 = (2D + 4)·diag of the class covariance: the prior's 2D + 4 pseudo-tokens carry
    /// the class's own variances, so Σ* shrinks the full covariance toward its diagonal instead of
    /// shrinking every variance toward 0 (a rare class becomes a diagonal Gaussian).</summary>
    Scaled,
}

/// <summary>Per-class statistics of the training split and the normal-inverse-Wishart MAP
/// covariance of Torroba Hennigen et al. / Pitfalls: κ0 = 0.01, μ0 = the class mean (so μ* is
/// the class mean), ν0 = D + 2, Λ0 = diag of the (unbiased) class covariance,
/// Σ*_c = (Λ0 + S_c) / (ν0 + N_c + D + 2), S_c the class scatter matrix, D the number of
/// neurons of the whole activation matrix (a subset's Σ* is the sub-block). Covariance columns
/// are computed on demand by one streaming pass, so the D×D matrices are never formed.
/// Classes without training tokens are inactive (never predicted); a class with exactly one
/// token is an error (its covariance is undefined).
/// One departure: Λ0's diagonal is floored at <see cref="DefaultVarianceFloor"/> × the neuron's
/// variance over all classes (1 for a neuron constant everywhere). Without it a ReLU neuron that
/// is exactly 0 for every token of a class gets zero variance there, and that class's density
/// at 0 is unbounded, so it wins every token where the neuron is 0 (USE-Lite's FFN does this).
/// A floor of 0 is Pitfalls exactly.</summary>
public sealed class GaussianStatistics
{
    public int Classes { get; }
    public int Features { get; }
    public long[] Counts { get; }
    public double[] Means { get; }          // [C, D]
    /// <summary>The variance floor used unless a plugin sets another (see the class summary).</summary>
    public const double DefaultVarianceFloor = 0.01;

    public double VarianceFloor { get; }
    public double[] PriorDiag { get; }      // Λ0 diagonal: unbiased class variance, floored [C, D]
    public double[] ScatterDiag { get; }    // S_c diagonal: N_c × population class variance [C, D]
    public double[] Denominator { get; }    // ν0 + N_c + D + 2
    public double[] LogPrior { get; }       // log π_c (−∞ when inactive)
    public bool[] Active { get; }
    public IActivationMatrix Train { get; }
    public ReadOnlyMemory<int> Labels { get; }

    public GaussianPrior Prior { get; }

    public GaussianStatistics(ProbingData data, IPluginContext context, string plugin, double varianceFloor = DefaultVarianceFloor,
        GaussianPrior prior = GaussianPrior.Scaled)
    {
        Prior = prior;
        if (!(varianceFloor >= 0)) throw new PluginInputException($"{plugin}: variance-floor must be ≥ 0 (got {varianceFloor})");
        VarianceFloor = varianceFloor;
        Train = data.Train.Activations; Labels = data.Train.Labels;
        Classes = data.ClassCount; Features = Train.Columns;
        if (Classes < 2) throw new PluginInputException($"{plugin}: the task has {Classes} class; needs at least 2");
        if (Labels.Length != Train.Rows) throw new PluginInputException($"{plugin}: {Labels.Length} labels for {Train.Rows} rows");
        var m = context.Kernels.ClassMoments(Train, Labels, Classes, context.Cancellation);
        for (int j = 0; j < Features; j++)
            if (!float.IsFinite(m.Min[j]) || !float.IsFinite(m.Max[j]) || double.IsNaN(m.OverallMean[j]))
                throw new PluginInputException($"{plugin}: neuron column {j} ({data.Neurons[j]}) has NaN or infinite activations");
        Counts = m.Counts;
        long total = Counts.Sum();
        Active = Counts.Select(c => c > 0).ToArray();
        if (Active.Count(a => a) < 2) throw new PluginInputException($"{plugin}: the training labels contain {Active.Count(a => a)} class(es); needs at least 2");
        for (int c = 0; c < Classes; c++)
            if (Counts[c] == 1)
                throw new PluginInputException($"{plugin}: class '{data.ClassNames[c]}' has 1 training example; the Gaussian needs at least 2 per class (drop or merge it)");
        Means = new double[Classes * Features]; PriorDiag = new double[Classes * Features]; ScatterDiag = new double[Classes * Features];
        Denominator = new double[Classes]; LogPrior = new double[Classes];
        for (int c = 0; c < Classes; c++)
        {
            LogPrior[c] = Active[c] ? Math.Log((double)Counts[c] / total) : double.NegativeInfinity;
            Denominator[c] = (Features + 2) + Counts[c] + Features + 2;
            double scale = prior == GaussianPrior.Scaled ? 2.0 * Features + 4 : 1;
            if (!Active[c]) continue;
            for (int j = 0; j < Features; j++)
            {
                Means[c * Features + j] = m.Means[c * Features + j];
                double overall = m.OverallVariance[j] > 0 ? m.OverallVariance[j] : 1;
                PriorDiag[c * Features + j] = scale * Math.Max(m.Variances[c * Features + j] * Counts[c] / (Counts[c] - 1), varianceFloor * overall);
                ScatterDiag[c * Features + j] = m.Variances[c * Features + j] * Counts[c];
            }
        }
    }

    /// <summary>Σ*_c[j, j] for every class and neuron: (Λ0_jj + N_c·popvar_jj)/den_c.</summary>
    public double[] MapDiagonal()
    {
        var d = new double[Classes * Features];
        for (int c = 0; c < Classes; c++)
        {
            if (!Active[c]) continue;
            for (int j = 0; j < Features; j++)
                d[c * Features + j] = (PriorDiag[c * Features + j] + ScatterDiag[c * Features + j]) / Denominator[c];
        }
        return d;
    }

    /// <summary>Σ*_c[:, s] for every class: dest [C, D]. One pass over the training rows:
    /// S_c[:, s] = Σ_{i∈c} (x_is − μ_cs)(x_i − μ_c).</summary>
    public void MapColumn(int s, double[] dest, CancellationToken cancellation)
    {
        int d = Features, cc = Classes;
        Array.Clear(dest);
        var weightSum = new double[cc];
        object gate = new();
        var labels = Labels;
        for (int b = 0; b < Train.BlockCount; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            var block = Train.GetBlock(b);
            const int chunk = 512;
            int chunks = (block.Rows + chunk - 1) / chunk;
            Parallel.For(0, chunks, () => (new float[cc * d], new double[cc]), (ch, _, local) =>
            {
                var (acc, ws) = local;
                var span = block.Span; var y = labels.Span;
                int hi = Math.Min(block.Rows, (ch + 1) * chunk);
                for (int r = ch * chunk; r < hi; r++)
                {
                    int c = y[(int)(block.FirstRow + r)];
                    if (c < 0) continue;
                    var row = span.Slice(r * d, d);
                    float w = (float)(row[s] - Means[c * d + s]);
                    ws[c] += w;
                    TensorPrimitives.MultiplyAdd(row, w, acc.AsSpan(c * d, d), acc.AsSpan(c * d, d));
                }
                return local;
            }, local =>
            {
                lock (gate)
                {
                    for (int k = 0; k < local.Item1.Length; k++) dest[k] += local.Item1[k];
                    for (int c = 0; c < cc; c++) weightSum[c] += local.Item2[c];
                }
            });
        }
        for (int c = 0; c < cc; c++)
        {
            if (!Active[c]) continue;
            double inv = 1 / Denominator[c];
            for (int j = 0; j < d; j++)
                dest[c * d + j] = (dest[c * d + j] - weightSum[c] * Means[c * d + j]) * inv;
            dest[c * d + s] += PriorDiag[c * d + s] * inv;
        }
    }

    /// <summary>Σ*_c restricted to the columns (row-major [k, k]) for every active class
    /// (null for inactive ones): the class rows, centred, multiplied by SGEMM.</summary>
    public double[]?[] MapSubmatrices(IReadOnlyList<int> columns, IComputeKernels kernels, CancellationToken cancellation)
    {
        int k = columns.Count, d = Features;
        var x = Train.GatherColumns(columns, cancellation);
        var y = Labels.Span;
        var result = new double[]?[Classes];
        for (int c = 0; c < Classes; c++)
        {
            if (!Active[c]) continue;
            int nc = (int)Counts[c];
            var xc = new float[(long)nc * k];
            int r = 0;
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] != c) continue;
                for (int a = 0; a < k; a++) xc[(long)r * k + a] = (float)(x[(long)i * k + a] - Means[c * d + columns[a]]);
                r++;
            }
            var s = new float[k * k];
            kernels.Sgemm(true, false, k, k, nc, 1f, xc, k, xc, k, 0f, s, k);
            var m = new double[k * k];
            double inv = 1 / Denominator[c];
            for (int a = 0; a < k; a++)
                for (int b = 0; b < k; b++) m[a * k + b] = 0.5 * ((double)s[a * k + b] + s[b * k + a]) * inv;
            for (int a = 0; a < k; a++) m[a * k + a] += PriorDiag[c * d + columns[a]] * inv;
            result[c] = m;
        }
        return result;
    }
}
