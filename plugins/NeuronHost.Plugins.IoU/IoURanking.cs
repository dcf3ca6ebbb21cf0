using NeuronHost.Sdk;

namespace NeuronHost.Plugins.IoU;

/// <summary>NeuroX's iou_probe ordering: activations with |x| &lt; Threshold are set to 0 (the
/// neuron's "off" mask), then each neuron is scored by the average precision of its activation
/// as a detector of the class (one class vs the rest; ties grouped as scikit-learn's
/// average_precision_score). With <see cref="Tag"/> the ranking is for that class; without,
/// a neuron's score is its best AP over the classes.</summary>
public sealed class IoURanking : IRankingMethod
{
    public PluginInfo Info { get; } = new("iou", PluginKind.Ranking,
        "Average precision of each thresholded neuron as a class detector (NeuroX iou_probe)", new Version(1, 0));

    [PluginParameter("activations with |x| below this are zeroed")] public double Threshold { get; set; }
    [PluginParameter("class to rank for; empty = max AP over classes")] public string Tag { get; set; } = "";

    /// <summary>AP per neuron and class after the last Rank: [Neurons, Classes].</summary>
    public double[] AveragePrecision { get; private set; } = [];

    public Ranking Rank(RankingRequest request, IPluginContext context)
    {
        var data = request.Data;
        int d = data.Neurons.Count, cc = data.ClassCount, n = checked((int)data.Train.Tokens);
        if (cc < 2) throw new PluginInputException($"iou: the task has {cc} class; needs at least 2");
        var y = data.Train.Labels.ToArray();
        if (y.Length != n) throw new PluginInputException($"iou: {y.Length} labels for {n} rows");
        int tag = -1;
        if (!string.IsNullOrEmpty(Tag))
        {
            tag = data.ClassNames.ToList().IndexOf(Tag);
            if (tag < 0) throw new PluginInputException($"iou: no class '{Tag}' (classes: {string.Join(", ", data.ClassNames)})");
        }
        var positives = new long[cc];
        foreach (int c in y)
        {
            if (c == -1) continue;
            if ((uint)c >= (uint)cc) throw new PluginInputException($"iou: label {c} outside 0..{cc - 1}");
            positives[c]++;
        }
        var x = data.Train.Activations.ToArray();
        var ap = new double[d * cc];
        int done = 0;
        Parallel.For(0, d, new ParallelOptions { CancellationToken = context.Cancellation }, () => (new float[n], new int[n]), (j, _, buf) =>
        {
            var (v, idx) = buf;
            for (int i = 0; i < n; i++)
            {
                float a = x[(long)i * d + j];
                if (!float.IsFinite(a)) throw new PluginInputException($"iou: activation at row {i}, neuron column {j} is {a} (not finite)");
                v[i] = Math.Abs(a) < Threshold ? 0f : a;
                idx[i] = i;
            }
            Array.Sort(v, idx);           // ascending; walk from the end for descending scores
            AveragePrecisions(v, idx, y, positives, ap.AsSpan(j * cc, cc));
            if (Interlocked.Increment(ref done) % 64 == 0) context.Progress.Report(new ProgressReport("iou", done, d, "neurons"));
            return buf;
        }, _ => { });
        AveragePrecision = ap;
        var scores = new double[d];
        for (int j = 0; j < d; j++)
        {
            if (tag >= 0) { scores[j] = ap[j * cc + tag]; continue; }
            double best = double.NegativeInfinity;
            for (int c = 0; c < cc; c++) if (positives[c] > 0) best = Math.Max(best, ap[j * cc + c]);
            scores[j] = best;
        }
        return Ranking.FromScores(tag >= 0 ? $"iou[{Tag}]" : "iou", data.Neurons, scores);
    }

    /// <summary>AP = Σ over distinct score thresholds (descending) of (R_k − R_{k−1})·P_k, every class at once.</summary>
    private static void AveragePrecisions(float[] sorted, int[] idx, int[] y, long[] positives, Span<double> result)
    {
        int cc = positives.Length;
        Span<long> tp = stackalloc long[cc];
        Span<long> tpPrev = stackalloc long[cc];
        tp.Clear(); tpPrev.Clear(); result.Clear();
        long seen = 0;
        for (int i = sorted.Length - 1; i >= 0;)
        {
            float v = sorted[i];
            int k = i;
            while (k >= 0 && sorted[k] == v) { int c = y[idx[k]]; if (c >= 0) tp[c]++; seen++; k--; }
            for (int c = 0; c < cc; c++)
            {
                if (positives[c] == 0 || tp[c] == tpPrev[c]) continue;
                result[c] += (double)(tp[c] - tpPrev[c]) / positives[c] * tp[c] / seen;
                tpPrev[c] = tp[c];
            }
            i = k;
        }
    }
}
