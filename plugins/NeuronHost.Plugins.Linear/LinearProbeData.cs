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

    /// <summary>The class of every row, one block of rows at a time: only a block's selected
    /// columns are copied (a whole split gathered at once was a second copy of the training
    /// matrix, 420 MB for the demo's all-neuron probe). Computed as training and early stopping
    /// compute logits (<see cref="LogitPredictions"/>), so a row's class does not depend on the blocks.</summary>
    public static int[] Predict(SoftmaxModel model, IActivationMatrix matrix, IReadOnlyList<int> columns, CancellationToken cancellation)
    {
        int rows = checked((int)matrix.Rows), features = columns.Count;
        foreach (int c in columns)
            if ((uint)c >= (uint)matrix.Columns) throw new PluginInputException($"neuron column {c} is outside 0..{matrix.Columns - 1}");
        var wT = new float[model.Classes * features];
        SoftmaxObjective.FoldWeights(model.Weights, model.InvStd, model.Classes, wT);
        var pred = new int[rows];
        float[] x = [];
        for (int blockIndex = 0; blockIndex < matrix.BlockCount; blockIndex++)
        {
            cancellation.ThrowIfCancellationRequested();
            var block = matrix.GetBlock(blockIndex);
            var span = block.Span;
            int n = block.Rows;
            if (x.Length < n * features) x = new float[n * features];
            for (int r = 0; r < n; r++)
                for (int j = 0; j < features; j++)
                {
                    float v = span[r * block.Columns + columns[j]];
                    if (!float.IsFinite(v)) throw new NonFiniteActivationException((int)block.FirstRow + r, columns[j], v);
                    x[r * features + j] = v;
                }
            LogitPredictions.Classes(x, n, features, model.Mean, wT, model.Bias).CopyTo(pred, (int)block.FirstRow);
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
