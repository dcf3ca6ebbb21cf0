using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>A held-out split for early stopping: raw (unstandardised) activations
/// [Rows, features] row-major over the same columns as the training data, and their labels
/// (-1 rows are ignored).</summary>
public sealed record EarlyStoppingSet(float[] X, int Rows, int[] Labels);

/// <summary>One held-out check: the iterate's accuracy and the time since training started.</summary>
public sealed record DevCheck(int Iteration, double Accuracy, TimeSpan Elapsed);

/// <summary>Tracks the held-out accuracy of the iterates and keeps the best. Training stops once
/// <see cref="ElasticNetOptions.EarlyStoppingPatience"/> iterations in a row brought no progress —
/// an accuracy more than <see cref="ElasticNetOptions.EarlyStoppingMinDelta"/> above the last
/// progress mark; the best iterate (highest accuracy, progress or not) is returned. Weights live
/// in standardised space; each check folds 1/std into them (features × classes work) and the
/// kernels centre the raw rows on the fly, so the split is never copied.</summary>
internal sealed class EarlyStopping
{
    private readonly EarlyStoppingSet _set;
    private readonly int _features, _classes, _patience;
    private readonly float[] _mean, _invStd, _wT, _z;
    private readonly int _blockRows;
    private readonly double _minDelta;
    private double _progressMark = double.NegativeInfinity;
    private int _stale;

    public EarlyStopping(EarlyStoppingSet set, int features, int classes, float[] mean, float[] invStd, int patience, double minDelta = 0,
        long startTimestamp = 0)
    {
        if ((long)set.Rows * features != set.X.Length)
            throw new PluginInputException($"the early-stopping split has {set.X.Length} values, not {set.Rows} rows × {features} neurons");
        if (set.Labels.Length != set.Rows)
            throw new PluginInputException($"the early-stopping split has {set.Labels.Length} labels for {set.Rows} rows");
        _set = set; _features = features; _classes = classes; _mean = mean; _invStd = invStd; _patience = Math.Max(1, patience); _minDelta = Math.Max(0, minDelta);
        _wT = new float[_classes * features]; _z = new float[(long)set.Rows * _classes];
        // a multiple of the kernel's 4-row tile: every row but the split's last few takes the tile's
        // path whatever the core count, so a row's logits (and so the dev accuracy) never depend on it
        _blockRows = Math.Max(16, (set.Rows + 4 * Environment.ProcessorCount - 1) / (4 * Environment.ProcessorCount) + 3) / 4 * 4;
        BestWeights = new float[features * classes]; BestBias = new float[classes];
        _start = startTimestamp == 0 ? System.Diagnostics.Stopwatch.GetTimestamp() : startTimestamp;
    }

    private readonly long _start;
    /// <summary>Every check so far, in order.</summary>
    public List<DevCheck> Checks { get; } = [];

    public double BestAccuracy { get; private set; } = double.NegativeInfinity;
    public double BestObjective { get; private set; }
    public int BestIteration { get; private set; }
    public float[] BestWeights { get; }
    public float[] BestBias { get; }
    /// <summary>X_dev·W products done (each dev rows × features × classes).</summary>
    public int GemmCount { get; private set; }

    /// <summary>Scores iterate (w, b) [standardised space]; true when training should stop.</summary>
    public bool Observe(int iteration, ReadOnlySpan<float> w, ReadOnlySpan<float> b, double objective)
    {
        SoftmaxObjective.FoldWeights(w, _invStd, _classes, _wT);
        int blocks = (_set.Rows + _blockRows - 1) / _blockRows;
        Parallel.For(0, blocks, blk =>
        {
            int lo = blk * _blockRows, m = Math.Min(_blockRows, _set.Rows - lo);
            SoftmaxPassKernels.Logits(_set.X.AsSpan(lo * _features, m * _features), m, _features, _mean, _wT, _classes,
                _z.AsSpan(lo * _classes, m * _classes));
        });
        GemmCount++;
        long ok = 0, n = 0;
        for (int i = 0; i < _set.Rows; i++)
        {
            int gold = _set.Labels[i];
            if (gold < 0) continue;
            n++;
            int best = 0; float bv = float.NegativeInfinity;
            for (int c = 0; c < _classes; c++)
            {
                float v = _z[(long)i * _classes + c] + b[c];
                if (v > bv) { bv = v; best = c; }
            }
            if (best == gold) ok++;
        }
        double acc = n == 0 ? 0 : (double)ok / n;
        Checks.Add(new DevCheck(iteration, acc, System.Diagnostics.Stopwatch.GetElapsedTime(_start)));
        if (acc > BestAccuracy)
        {
            BestAccuracy = acc; BestObjective = objective; BestIteration = iteration;
            w.CopyTo(BestWeights); b.CopyTo(BestBias);
        }
        if (acc > _progressMark + _minDelta)
        {
            _progressMark = acc; _stale = 0;
            return false;
        }
        return ++_stale >= _patience;
    }
}
