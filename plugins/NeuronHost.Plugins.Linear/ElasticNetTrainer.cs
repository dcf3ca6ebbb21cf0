using System.Numerics.Tensors;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>Elastic-net softmax regression on standardised inputs: validates the data,
/// measures each column's mean and std (the kernels standardise on the fly), and runs the chosen full-batch solver (<see cref="ElasticNetSolver"/>; OWL-QN by
/// default, FISTA kept as the alternative), optionally stopping early on a held-out split.</summary>
public static class ElasticNetTrainer
{
    /// <summary>Trains on x [rows, features] row-major (not modified). Labels are class indices;
    /// -1 rows are ignored.</summary>
    public static SoftmaxModel Fit(float[] x, int rows, int features, ReadOnlySpan<int> labels, int classes,
        ElasticNetOptions options, IProgress<ProgressReport>? progress = null,
        CancellationToken cancellation = default, SoftmaxModel? warmStart = null,
        EarlyStoppingSet? earlyStopping = null)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        if ((long)rows * features != x.Length) throw new ArgumentException($"x has {x.Length} values, not {rows} × {features}");
        if (labels.Length != rows) throw new PluginInputException($"{labels.Length} labels for {rows} activation rows");
        if (classes < 2) throw new PluginInputException($"the task has {classes} class; a classifier needs at least 2");
        var y = labels.ToArray();
        int valid = 0;
        var counts = new int[classes];
        for (int i = 0; i < rows; i++)
        {
            if (y[i] == -1) continue;
            if ((uint)y[i] >= (uint)classes) throw new PluginInputException($"label {y[i]} at row {i} is outside 0..{classes - 1}");
            valid++; counts[y[i]]++;
        }
        int distinct = counts.Count(n => n > 0);
        if (distinct < 2)
            throw new PluginInputException($"the training labels contain {distinct} distinct class(es); a probe needs at least 2");

        var (mean, invStd) = ColumnMoments(x, rows, features, options.Standardize);
        int p = features * classes;
        var w = new float[p]; var b = new float[classes];
        if (warmStart is not null && warmStart.Features == features && warmStart.Classes == classes)
        {
            warmStart.Weights.CopyTo(w, 0); warmStart.Bias.CopyTo(b, 0);
        }
        else
        {
            // start from the best model without neurons, the (smoothed) log class priors: the
            // first iterations then go into the weights instead of into learning the priors
            for (int c = 0; c < classes; c++) b[c] = (float)Math.Log((counts[c] + 1.0) / (valid + classes));
        }
        var problem = new SoftmaxObjective(x, rows, features, classes, y, valid, mean, invStd, options, options.Partitions);
        if (warmStart is null && options.WarmUpEpochs > 0 && rows >= 2 * options.WarmUpBatch)
            AdamWarmUp.Run(problem, w, b, options, progress, cancellation);
        var stop = earlyStopping is not null && options.EarlyStoppingPatience > 0
            ? new EarlyStopping(earlyStopping, features, classes, mean, invStd, options.EarlyStoppingPatience, options.EarlyStoppingMinDelta, start) : null;
        var (objective, iterations) = options.Solver == ElasticNetSolver.Fista
            ? FistaSolver.Solve(problem, w, b, stop, progress, cancellation)
            : OwlQnSolver.Solve(problem, w, b, stop, progress, cancellation);
        double flops = problem.TotalFlops;
        if (stop is not null)
        {
            flops += 2.0 * earlyStopping!.Rows * features * classes * stop.GemmCount;
            if (stop.BestIteration > 0)
            {
                stop.BestWeights.CopyTo(w, 0); stop.BestBias.CopyTo(b, 0);
                objective = stop.BestObjective;
            }
        }
        return new SoftmaxModel(features, classes, w, b, mean, invStd)
        {
            Objective = objective, Iterations = iterations, GemmFlops = flops,
            StoppedEarlyAt = stop is { BestIteration: > 0 } && stop.BestIteration < iterations ? stop.BestIteration : null,
            DevChecks = stop?.Checks ?? [],
        };
    }

    /// <summary>The objective of a model on (unstandardised) data, in the model's own space.</summary>
    public static double Objective(SoftmaxModel model, ReadOnlySpan<float> raw, int rows, ReadOnlySpan<int> labels,
        ElasticNetOptions options)
    {
        var y = labels.ToArray();
        int valid = y.Count(v => v >= 0);
        var problem = new SoftmaxObjective(raw.ToArray(), rows, model.Features, model.Classes, y, valid, model.Mean, model.InvStd, options);
        var z = new float[(long)rows * problem.Classes];
        problem.Logits(model.Weights, model.Bias, z);
        return problem.SmoothValue(z, model.Weights, null) + problem.Penalty(model.Weights);
    }

    /// <summary>Each column's mean and 1/std (constant columns get 1/std = 1); with
    /// standardize false, mean 0 and 1/std 1. Rejects non-finite values, naming the first.
    /// Sums are taken of x − (first row), which keeps E[x²] − E[x]² from cancelling for columns
    /// whose mean is large against their spread; chunks of rows are summed in float in parallel
    /// and combined in double in a fixed order.</summary>
    public static (float[] Mean, float[] InvStd) ColumnMoments(float[] x, int rows, int features, bool standardize = true)
    {
        var shift = rows == 0 ? new float[features] : x.AsSpan(0, features).ToArray();
        int chunks = (rows + MomentChunkRows - 1) / MomentChunkRows;
        var sums = new float[chunks][]; var squares = new float[chunks][];
        Parallel.For(0, chunks, ch =>
        {
            var sum = sums[ch] = new float[features]; var sq = squares[ch] = new float[features];
            var d = new float[features];
            for (int i = ch * MomentChunkRows; i < Math.Min(rows, (ch + 1) * MomentChunkRows); i++)
            {
                TensorPrimitives.Subtract(x.AsSpan(i * features, features), shift, d);
                TensorPrimitives.Add(sum, d, sum);
                TensorPrimitives.MultiplyAdd(d, d, sq, sq);
            }
        });
        var mean = new float[features]; var inv = new float[features];
        for (int j = 0; j < features; j++)
        {
            double s = 0, q = 0;
            for (int ch = 0; ch < chunks; ch++) { s += sums[ch][j]; q += squares[ch][j]; }
            if (!double.IsFinite(s) || !double.IsFinite(q)) ThrowFirstNonFinite(x, rows, features, j);
            double m = rows == 0 ? 0 : s / rows;
            double var = rows == 0 ? 0 : Math.Max(q / rows - m * m, 0);
            double centre = shift[j] + m;
            mean[j] = standardize ? (float)centre : 0f;
            inv[j] = standardize && var > 1e-20 * Math.Max(1, centre * centre) ? (float)(1 / Math.Sqrt(var)) : 1f;
        }
        return (mean, inv);
    }

    // divides every segment grid of the objective: rows cut on that grid give the same chunks
    private const int MomentChunkRows = 512;

    private static void ThrowFirstNonFinite(float[] x, int rows, int features, int column)
    {
        for (long k = 0; k < (long)rows * features; k++)
            if (!float.IsFinite(x[k])) throw new NonFiniteActivationException((int)(k / features), (int)(k % features), x[k]);
        throw new PluginInputException($"neuron {column}: activations too large to standardise (their squares overflow float)");
    }
}
