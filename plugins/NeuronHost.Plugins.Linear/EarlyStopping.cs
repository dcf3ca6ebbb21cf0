using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>A held-out split for early stopping: raw (unstandardised) activations
/// [Rows, features] row-major over the same columns as the training data, and their labels
/// (-1 rows are ignored).</summary>
public sealed record EarlyStoppingSet(float[] X, int Rows, int[] Labels);

/// <summary>Tracks the held-out accuracy of the iterates and keeps the best. Training stops once
/// <see cref="ElasticNetOptions.EarlyStoppingPatience"/> iterations in a row brought no strictly
/// better accuracy; the best iterate is returned. Weights live in standardised space, so each
/// check folds the standardisation into them (features × classes work) instead of copying the
/// split.</summary>
internal sealed class EarlyStopping
{
    private readonly EarlyStoppingSet _set;
    private readonly int _features, _classes, _patience;
    private readonly float[] _mean, _invStd, _w, _z;
    private readonly float[] _b;
    private int _stale;

    public EarlyStopping(EarlyStoppingSet set, int features, int classes, float[] mean, float[] invStd, int patience)
    {
        if ((long)set.Rows * features != set.X.Length)
            throw new PluginInputException($"the early-stopping split has {set.X.Length} values, not {set.Rows} rows × {features} neurons");
        if (set.Labels.Length != set.Rows)
            throw new PluginInputException($"the early-stopping split has {set.Labels.Length} labels for {set.Rows} rows");
        _set = set; _features = features; _classes = classes; _mean = mean; _invStd = invStd; _patience = Math.Max(1, patience);
        _w = new float[features * classes]; _b = new float[classes]; _z = new float[(long)set.Rows * classes];
        BestWeights = new float[features * classes]; BestBias = new float[classes];
    }

    public double BestAccuracy { get; private set; } = double.NegativeInfinity;
    public double BestObjective { get; private set; }
    public int BestIteration { get; private set; }
    public float[] BestWeights { get; }
    public float[] BestBias { get; }
    /// <summary>X_dev·W products done (each dev rows × features × classes).</summary>
    public int GemmCount { get; private set; }

    /// <summary>Scores iterate (w, b) [standardised space]; true when training should stop.</summary>
    public bool Observe(int iteration, ReadOnlySpan<float> w, ReadOnlySpan<float> b, double objective, IComputeKernels kernels)
    {
        SoftmaxModel.FoldStandardisation(w, b, _mean, _invStd, _w, _b);
        kernels.Sgemm(false, false, _set.Rows, _classes, _features, 1f, _set.X, _features, _w, _classes, 0f, _z, _classes);
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
                float v = _z[(long)i * _classes + c] + _b[c];
                if (v > bv) { bv = v; best = c; }
            }
            if (best == gold) ok++;
        }
        double acc = n == 0 ? 0 : (double)ok / n;
        if (acc > BestAccuracy)
        {
            BestAccuracy = acc; BestObjective = objective; BestIteration = iteration; _stale = 0;
            w.CopyTo(BestWeights); b.CopyTo(BestBias);
            return false;
        }
        return ++_stale >= _patience;
    }
}
