using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>A held-out split for early stopping: raw (unstandardised) activations
/// [Rows, features] row-major over the same columns as the training data, and their labels
/// (-1 rows are ignored).</summary>
public sealed record EarlyStoppingSet(float[] X, int Rows, int[] Labels);

/// <summary>One held-out check: the iterate's accuracy and the time since training started.</summary>
public sealed record DevCheck(int Iteration, double Accuracy, TimeSpan Elapsed);

/// <summary>Counts an iterate's right predictions on a held-out split, wherever its rows are.</summary>
internal interface IHeldOutCounter
{
    long Rows { get; }
    /// <summary>Rows predicted right and labelled rows under logits (x − mean)·wT + bias
    /// (<see cref="LogitPredictions"/>; wT is [classes, features], 1/std folded in).</summary>
    (long Correct, long Labelled) Count(float[] wT, float[] bias);
}

/// <summary>A held-out split in this process.</summary>
internal sealed class LocalHeldOut : IHeldOutCounter
{
    private readonly EarlyStoppingSet _set;
    private readonly int _features;
    private readonly float[] _mean;

    public LocalHeldOut(EarlyStoppingSet set, int features, float[] mean)
    {
        if ((long)set.Rows * features != set.X.Length)
            throw new PluginInputException($"the early-stopping split has {set.X.Length} values, not {set.Rows} rows × {features} neurons");
        if (set.Labels.Length != set.Rows)
            throw new PluginInputException($"the early-stopping split has {set.Labels.Length} labels for {set.Rows} rows");
        _set = set; _features = features; _mean = mean;
    }

    public long Rows => _set.Rows;

    public (long Correct, long Labelled) Count(float[] wT, float[] bias) =>
        LogitPredictions.Count(LogitPredictions.Classes(_set.X, _set.Rows, _features, _mean, wT, bias), _set.Labels);
}

/// <summary>Tracks the held-out accuracy of the iterates and keeps the best. Training stops once
/// <see cref="ElasticNetOptions.EarlyStoppingPatience"/> iterations in a row brought no progress —
/// an accuracy more than <see cref="ElasticNetOptions.EarlyStoppingMinDelta"/> above the last
/// progress mark; the best iterate (highest accuracy, progress or not) is returned. Weights live
/// in standardised space; each check folds 1/std into them (features × classes work) and the
/// counter centres the raw rows on the fly, so the split is never copied.</summary>
internal sealed class EarlyStopping
{
    private readonly IHeldOutCounter _heldOut;
    private readonly int _classes, _patience;
    private readonly float[] _invStd, _wT;
    private readonly double _minDelta;
    private double _progressMark = double.NegativeInfinity;
    private int _stale;

    public EarlyStopping(IHeldOutCounter heldOut, int features, int classes, float[] invStd, int patience, double minDelta = 0,
        long startTimestamp = 0)
    {
        _heldOut = heldOut; _classes = classes; _invStd = invStd; _patience = Math.Max(1, patience); _minDelta = Math.Max(0, minDelta);
        _wT = new float[_classes * features];
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
        var (ok, n) = _heldOut.Count(_wT, b.ToArray());
        GemmCount++;
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
