namespace NeuronHost.Plugins.Linear;

/// <summary>The class of each row as the solver's forward pass computes it: x − mean against the
/// standardised weights with 1/std folded in (wT [classes, features]), plus the bias; the first of
/// equal logits wins. A row's logits are the same bits wherever it falls in a block
/// (<see cref="SoftmaxPassKernels.Logits"/>), so predictions, and the accuracies counted from
/// them, do not depend on how the rows are cut: a silo holding some rows predicts them exactly as
/// one machine holding all of them does.</summary>
internal static class LogitPredictions
{
    /// <summary>Rows per parallel block (a multiple of the kernel's 4-row tile).</summary>
    private const int BlockRows = 256;

    /// <summary>The predicted class of every row of x [rows, features] (raw values).</summary>
    public static void Classes(ReadOnlySpan<float> x, int rows, int features, ReadOnlySpan<float> mean, ReadOnlySpan<float> wT,
        ReadOnlySpan<float> bias, Span<float> z, Span<int> into)
    {
        int classes = bias.Length;
        SoftmaxPassKernels.Logits(x[..(rows * features)], rows, features, mean, wT, classes, z[..(rows * classes)]);
        for (int i = 0; i < rows; i++)
        {
            int best = 0; float bv = float.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                float v = z[i * classes + c] + bias[c];
                if (v > bv) { bv = v; best = c; }
            }
            into[i] = best;
        }
    }

    /// <summary>Every row's predicted class, in parallel blocks.</summary>
    public static int[] Classes(float[] x, int rows, int features, float[] mean, float[] wT, float[] bias)
    {
        var predicted = new int[rows];
        int classes = bias.Length;
        Parallel.For(0, (rows + BlockRows - 1) / BlockRows, () => new float[BlockRows * classes], (blk, _, z) =>
        {
            int lo = blk * BlockRows, m = Math.Min(BlockRows, rows - lo);
            Classes(x.AsSpan(lo * features, m * features), m, features, mean, wT, bias, z, predicted.AsSpan(lo, m));
            return z;
        }, _ => { });
        return predicted;
    }

    /// <summary>Rows predicted right and rows with a label (≥ 0; -1 rows are never right).</summary>
    public static (long Correct, long Labelled) Count(ReadOnlySpan<int> predicted, ReadOnlySpan<int> labels)
    {
        long ok = 0, n = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            if (labels[i] < 0) continue;
            n++;
            if (predicted[i] == labels[i]) ok++;
        }
        return (ok, n);
    }
}
