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
        var counts = ClassCounts(y, classes, 0);
        int valid = RequireTwoClasses(counts);

        var (mean, invStd) = ColumnMoments(x, rows, features, options.Standardize);
        var problem = new SoftmaxObjective(x, rows, features, classes, y, valid, mean, invStd, options, options.Partitions);
        var heldOut = earlyStopping is null || options.EarlyStoppingPatience <= 0 ? null : new LocalHeldOut(earlyStopping, features, mean);
        return Train(problem, counts, valid, mean, invStd, options, progress, cancellation, warmStart, heldOut, start);
    }

    /// <summary>Trains on rows held by several holders (a cluster's silos, each with the rows
    /// <see cref="GridOwnership"/> gives it, in row order): the same model, to the bit, as
    /// <see cref="Fit"/> on all the rows in one place. The holders give class counts, the moments'
    /// chunk sums, and the exact sums of each full pass and mini-batch; the solver runs here.</summary>
    internal static SoftmaxModel FitOverHolders(IReadOnlyList<IProbeRows> holders, int features, int classes,
        ElasticNetOptions options, IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default,
        Func<float[], IHeldOutCounter>? earlyStopping = null)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        if (classes < 2) throw new PluginInputException($"the task has {classes} class; a classifier needs at least 2");
        // every row summed once: the holders' ranges tile [0, rows)
        var ranges = holders.SelectMany((h, i) => h.Ranges.Select(r => (r.First, r.End, Holder: i))).OrderBy(r => r.First).ToList();
        int rows = 0;
        foreach (var (first, end, _) in ranges)
        {
            if (first != rows) throw new ArgumentException($"a holder's rows start at row {first}, not at {rows}, where the ones before end");
            rows = checked((int)end);
        }
        var counts = new int[classes];
        foreach (var h in holders)
        {
            var c = h.ClassCounts(classes);
            for (int k = 0; k < classes; k++) counts[k] += c[k];
        }
        int valid = RequireTwoClasses(counts);
        var shift = ranges.Count == 0 ? new float[features] : holders[ranges[0].Holder].RowValues(0);
        if (shift.Length != features) throw new ArgumentException($"a holder's rows have {shift.Length} features, not {features}");
        var chunks = holders.SelectMany(h => h.MomentChunks(shift)).OrderBy(c => c.Index).ToList();
        for (int i = 0; i < chunks.Count; i++)
            if (chunks[i].Index != i || chunks[i].Sums.Length != features || chunks[i].Squares.Length != features)
                throw new ArgumentException($"the holders' moment chunks are not chunks 0..{(rows + MomentChunkRows - 1) / MomentChunkRows - 1} of {features} features");
        var (mean, invStd) = FinishMoments(chunks.Select(c => c.Sums).ToList(), chunks.Select(c => c.Squares).ToList(), rows, shift, options.Standardize, column =>
        {
            foreach (var h in holders) h.ThrowIfNonFinite();
            throw TooLargeToStandardise(column);
        });
        foreach (var h in holders) h.Prepare(classes, valid, rows, mean, invStd, options);
        var owners = ranges.Select(r => (r.First, r.End, Owner: holders[r.Holder])).ToList();
        var problem = SoftmaxObjective.OverHolders(features, classes, valid, rows, mean, invStd, options,
            (w, b) =>
            {
                // all holders at once (a cluster's silos sum in parallel); the sums are exact, so the merge order does not matter
                float[] wa = w.ToArray(), ba = b.ToArray();
                var passes = holders.Where(h => h.Ranges.Count > 0).Select(h => Task.Run(() => h.SumPass(wa, ba))).ToArray();
                var total = passes[0].GetAwaiter().GetResult();
                foreach (var pass in passes.Skip(1)) total.Merge(pass.GetAwaiter().GetResult());
                return total;
            },
            (w, b, first, count) => BatchOverRanges.Sum(owners, rows, w, b, first, count));
        var warmUpRuns = HeldWarmUp.Plan(ranges, holders, rows, AdamWarmUp.BatchRows(options), cancellation);
        return Train(problem, counts, valid, mean, invStd, options, progress, cancellation, null, earlyStopping?.Invoke(mean), start, warmUpRuns);
    }

    /// <summary>From the moments on: the starting point, Adam's warm-up, the full-batch solver and
    /// early stopping, over whichever rows the problem sums.</summary>
    private static SoftmaxModel Train(SoftmaxObjective problem, int[] counts, int valid, float[] mean, float[] invStd,
        ElasticNetOptions options, IProgress<ProgressReport>? progress, CancellationToken cancellation,
        SoftmaxModel? warmStart, IHeldOutCounter? earlyStopping, long start, AdamWarmUp.RemoteRuns? warmUpRuns = null)
    {
        int features = problem.Features, classes = problem.Classes;
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
        if (warmStart is null && options.WarmUpEpochs > 0 && problem.Rows >= 2 * options.WarmUpBatch)
            AdamWarmUp.Run(problem, w, b, options, progress, cancellation, warmUpRuns);
        var stop = earlyStopping is not null && options.EarlyStoppingPatience > 0
            ? new EarlyStopping(earlyStopping, features, classes, invStd, options.EarlyStoppingPatience, options.EarlyStoppingMinDelta, start) : null;
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
        var (sums, squares) = MomentChunks(x, rows, features, shift);
        return FinishMoments(sums, squares, rows, shift, standardize, column =>
        {
            ThrowIfNonFinite(x, rows, features, 0);
            throw TooLargeToStandardise(column);
        });
    }

    /// <summary>Per chunk of <see cref="MomentChunkRows"/> rows (from row 0 of x), the float sums of
    /// x − shift and of its squares: a holder of rows on the chunk grid gives the chunks a whole
    /// run would have for its rows.</summary>
    internal static (float[][] Sums, float[][] Squares) MomentChunks(float[] x, int rows, int features, float[] shift)
    {
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
        return (sums, squares);
    }

    /// <summary>Mean and 1/std from all chunks in row order (double sums, that fixed order).</summary>
    /// <param name="nonFinite">Called with the first column whose sums are not finite; must throw.</param>
    internal static (float[] Mean, float[] InvStd) FinishMoments(IReadOnlyList<float[]> sums, IReadOnlyList<float[]> squares, long rows,
        float[] shift, bool standardize, Action<int> nonFinite)
    {
        int features = shift.Length;
        var mean = new float[features]; var inv = new float[features];
        for (int j = 0; j < features; j++)
        {
            double s = 0, q = 0;
            for (int ch = 0; ch < sums.Count; ch++) { s += sums[ch][j]; q += squares[ch][j]; }
            if (!double.IsFinite(s) || !double.IsFinite(q)) nonFinite(j);
            double m = rows == 0 ? 0 : s / rows;
            double var = rows == 0 ? 0 : Math.Max(q / rows - m * m, 0);
            double centre = shift[j] + m;
            mean[j] = standardize ? (float)centre : 0f;
            inv[j] = standardize && var > 1e-20 * Math.Max(1, centre * centre) ? (float)(1 / Math.Sqrt(var)) : 1f;
        }
        return (mean, inv);
    }

    // divides every segment grid of the objective: rows cut on that grid give the same chunks
    internal const int MomentChunkRows = 512;

    /// <summary>Names the first non-finite value of x, if any (rows numbered from <paramref name="firstRow"/>).</summary>
    internal static void ThrowIfNonFinite(float[] x, int rows, int features, long firstRow)
    {
        for (long k = 0; k < (long)rows * features; k++)
            if (!float.IsFinite(x[k])) throw new NonFiniteActivationException((int)(firstRow + k / features), (int)(k % features), x[k]);
    }

    private static PluginInputException TooLargeToStandardise(int column) =>
        new($"neuron {column}: activations too large to standardise (their squares overflow float)");

    /// <summary>Labelled rows per class (-1: unlabelled); refuses a label outside the classes,
    /// naming its row (rows numbered from <paramref name="firstRow"/>).</summary>
    internal static int[] ClassCounts(ReadOnlySpan<int> y, int classes, long firstRow)
    {
        var counts = new int[classes];
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] == -1) continue;
            if ((uint)y[i] >= (uint)classes) throw new PluginInputException($"label {y[i]} at row {firstRow + i} is outside 0..{classes - 1}");
            counts[y[i]]++;
        }
        return counts;
    }

    /// <summary>The labelled rows, after checking that at least two classes occur.</summary>
    private static int RequireTwoClasses(int[] counts)
    {
        int distinct = counts.Count(n => n > 0);
        if (distinct < 2)
            throw new PluginInputException($"the training labels contain {distinct} distinct class(es); a probe needs at least 2");
        return counts.Sum();
    }
}
