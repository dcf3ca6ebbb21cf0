using System.Numerics.Tensors;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>Elastic-net softmax regression on standardised inputs: validates the data,
/// z-scores it, and runs the chosen full-batch solver (<see cref="ElasticNetSolver"/>; OWL-QN by
/// default, FISTA kept as the alternative), optionally stopping early on a held-out split.</summary>
public static class ElasticNetTrainer
{
    /// <summary>Trains on x [rows, features] row-major. x is standardised IN PLACE when
    /// options.Standardize (pass a copy you own). Labels are class indices; -1 rows are ignored.</summary>
    public static SoftmaxModel Fit(float[] x, int rows, int features, ReadOnlySpan<int> labels, int classes,
        ElasticNetOptions options, IComputeKernels kernels, IProgress<ProgressReport>? progress = null,
        CancellationToken cancellation = default, SoftmaxModel? warmStart = null,
        EarlyStoppingSet? earlyStopping = null)
    {
        if ((long)rows * features != x.Length) throw new ArgumentException($"x has {x.Length} values, not {rows} × {features}");
        if (labels.Length != rows) throw new PluginInputException($"{labels.Length} labels for {rows} activation rows");
        if (classes < 2) throw new PluginInputException($"the task has {classes} class; a classifier needs at least 2");
        var y = labels.ToArray();
        int valid = 0;
        var seen = new bool[classes];
        for (int i = 0; i < rows; i++)
        {
            if (y[i] == -1) continue;
            if ((uint)y[i] >= (uint)classes) throw new PluginInputException($"label {y[i]} at row {i} is outside 0..{classes - 1}");
            valid++; seen[y[i]] = true;
        }
        if (seen.Count(s => s) < 2)
            throw new PluginInputException($"the training labels contain {seen.Count(s => s)} distinct class(es); a probe needs at least 2");

        var (mean, invStd) = options.Standardize ? StandardizeInPlace(x, rows, features) : Identity(features);
        int p = features * classes;
        var w = new float[p]; var b = new float[classes];
        if (warmStart is not null && warmStart.Features == features && warmStart.Classes == classes)
        {
            warmStart.Weights.CopyTo(w, 0); warmStart.Bias.CopyTo(b, 0);
        }
        var problem = new SoftmaxObjective(x, rows, features, classes, y, valid, options, kernels);
        var stop = earlyStopping is not null && options.EarlyStoppingPatience > 0
            ? new EarlyStopping(earlyStopping, features, classes, mean, invStd, options.EarlyStoppingPatience) : null;
        var (objective, iterations) = options.Solver == ElasticNetSolver.Fista
            ? FistaSolver.Solve(problem, w, b, stop, kernels, progress, cancellation)
            : OwlQnSolver.Solve(problem, w, b, stop, kernels, progress, cancellation);
        var gemms = problem.GemmCount;
        double flops = problem.GemmFlops * gemms;
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
        };
    }

    /// <summary>The objective of a model on (unstandardised) data, in the model's own space.</summary>
    public static double Objective(SoftmaxModel model, ReadOnlySpan<float> raw, int rows, ReadOnlySpan<int> labels,
        ElasticNetOptions options, IComputeKernels kernels)
    {
        var x = raw.ToArray();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < model.Features; j++)
                x[(long)i * model.Features + j] = (x[(long)i * model.Features + j] - model.Mean[j]) * model.InvStd[j];
        var y = labels.ToArray();
        int valid = y.Count(v => v >= 0);
        var problem = new SoftmaxObjective(x, rows, model.Features, model.Classes, y, valid, options, kernels);
        var z = new float[(long)rows * model.Classes];
        problem.Logits(model.Weights, model.Bias, z);
        return problem.SmoothValue(z, model.Weights, null) + problem.Penalty(model.Weights);
    }

    /// <summary>z-scores each column in place; constant columns become 0.</summary>
    public static (float[] Mean, float[] InvStd) StandardizeInPlace(float[] x, int rows, int features)
    {
        var sum = new double[features]; var sq = new double[features];
        for (int i = 0; i < rows; i++)
        {
            var row = x.AsSpan(i * features, features);
            for (int j = 0; j < features; j++)
            {
                double v = row[j];
                if (!double.IsFinite(v)) throw new NonFiniteActivationException(i, j, row[j]);
                sum[j] += v; sq[j] += v * v;
            }
        }
        var mean = new float[features]; var inv = new float[features];
        for (int j = 0; j < features; j++)
        {
            double m = rows == 0 ? 0 : sum[j] / rows;
            double var = rows == 0 ? 0 : Math.Max(sq[j] / rows - m * m, 0);
            mean[j] = (float)m;
            inv[j] = var > 1e-20 * Math.Max(1, m * m) ? (float)(1 / Math.Sqrt(var)) : 1f;
        }
        Parallel.For(0, rows, i =>
        {
            var row = x.AsSpan(i * features, features);
            TensorPrimitives.Subtract(row, mean, row);
            TensorPrimitives.Multiply(row, inv, row);
        });
        return (mean, inv);
    }

    private static (float[], float[]) Identity(int features)
    {
        var one = new float[features]; Array.Fill(one, 1f);
        return (new float[features], one);
    }
}
