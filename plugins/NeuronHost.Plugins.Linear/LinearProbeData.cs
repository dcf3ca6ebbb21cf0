using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>Training helpers shared by the ranking and the probe.</summary>
internal static class LinearProbeData
{
    public static SoftmaxModel Train(DataSplit split, IReadOnlyList<int> columns, int classes, ElasticNetOptions options,
        IPluginContext context, SoftmaxModel? warm = null, DataSplit? earlyStopping = null)
    {
        if (split.Labels.Length != split.Activations.Rows)
            throw new PluginInputException($"{split.Labels.Length} labels for {split.Activations.Rows} activation rows");
        var x = split.Activations.GatherColumns(columns, context.Cancellation);
        EarlyStoppingSet? held = null;
        if (earlyStopping is not null)
        {
            if (earlyStopping.Labels.Length != earlyStopping.Activations.Rows)
                throw new PluginInputException($"dev split: {earlyStopping.Labels.Length} labels for {earlyStopping.Activations.Rows} activation rows");
            var dx = earlyStopping.Activations.GatherColumns(columns, context.Cancellation);
            for (int i = 0; i < dx.Length; i++)
                if (!float.IsFinite(dx[i])) throw new NonFiniteActivationException(i / Math.Max(columns.Count, 1), columns[i % columns.Count], dx[i]);
            held = new EarlyStoppingSet(dx, (int)earlyStopping.Activations.Rows, earlyStopping.Labels.ToArray());
        }
        return ElasticNetTrainer.Fit(x, (int)split.Activations.Rows, columns.Count, split.Labels.Span, classes, options,
            context.Progress, context.Cancellation, warm, held);
    }

    public static int[] Predict(SoftmaxModel model, IActivationMatrix matrix, IReadOnlyList<int> columns, IComputeKernels kernels,
        CancellationToken cancellation)
    {
        var (w, b) = model.RawSpace();
        int rows = checked((int)matrix.Rows), cc = model.Classes;
        var x = matrix.GatherColumns(columns, cancellation);
        for (int i = 0; i < x.Length; i++)
            if (!float.IsFinite(x[i])) throw new NonFiniteActivationException(i / Math.Max(columns.Count, 1), columns[i % columns.Count], x[i]);
        var z = new float[(long)rows * cc];
        kernels.Sgemm(false, false, rows, cc, columns.Count, 1f, x, columns.Count, w, cc, 0f, z, cc);
        var pred = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            int best = 0; float bv = float.NegativeInfinity;
            for (int c = 0; c < cc; c++)
            {
                float v = z[i * cc + c] + b[c];
                if (v > bv) { bv = v; best = c; }
            }
            pred[i] = best;
        }
        return pred;
    }

    public static double Accuracy(int[] pred, ReadOnlySpan<int> gold)
    {
        long ok = 0, n = 0;
        for (int i = 0; i < pred.Length; i++) { if (gold[i] < 0) continue; n++; if (pred[i] == gold[i]) ok++; }
        return n == 0 ? double.NaN : (double)ok / n;
    }
}
