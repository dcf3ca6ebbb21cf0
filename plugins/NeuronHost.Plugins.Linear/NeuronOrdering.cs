namespace NeuronHost.Plugins.Linear;

/// <summary>The two ways of turning probe weights [features, classes] into a neuron order.</summary>
public static class NeuronOrdering
{
    /// <summary>Pitfalls: score_j = mean over classes of |W_c,j|, highest first.</summary>
    public static double[] MeanAbsWeight(SoftmaxModel model)
    {
        var score = new double[model.Features];
        for (int j = 0; j < model.Features; j++)
        {
            double s = 0;
            for (int c = 0; c < model.Classes; c++) s += Math.Abs(model.Weight(j, c));
            score[j] = s / model.Classes;
        }
        return score;
    }

    /// <summary>NeuroX get_neuron_ordering: for p = 0, 1/stride, …, 1 take per class the shortest
    /// prefix of |W_c,:| (sorted descending) whose cumulative sum reaches p·Σ|W_c,:| (at least one
    /// neuron), union over classes; neurons are appended the first time they appear. Inside one
    /// step (arbitrary in NeuroX) they go by max over classes of |W_c,j|. Neurons that never appear
    /// (zero weight everywhere) follow, by mean |W|. Returns the order and, per neuron, the score
    /// 1 − p of the step that added it.</summary>
    public static (int[] Order, double[] Score) WeightMass(SoftmaxModel model, int stride = 100)
    {
        int d = model.Features, cc = model.Classes;
        var sorted = new int[cc][]; var cum = new double[cc][]; var total = new double[cc];
        for (int c = 0; c < cc; c++)
        {
            int cls = c;
            sorted[c] = Enumerable.Range(0, d).OrderByDescending(j => Math.Abs(model.Weight(j, cls))).ThenBy(j => j).ToArray();
            cum[c] = new double[d];
            double s = 0;
            for (int r = 0; r < d; r++) { s += Math.Abs(model.Weight(sorted[c][r], c)); cum[c][r] = s; }
            total[c] = s;
        }
        var maxAbs = new double[d];
        for (int j = 0; j < d; j++)
            for (int c = 0; c < cc; c++) maxAbs[j] = Math.Max(maxAbs[j], Math.Abs(model.Weight(j, c)));

        var order = new List<int>(d); var score = new double[d]; var added = new bool[d];
        var prefix = new int[cc];
        for (int step = 0; step <= stride; step++)
        {
            double p = (double)step / stride;
            var fresh = new List<int>();
            for (int c = 0; c < cc; c++)
            {
                if (total[c] == 0) continue;
                // shortest prefix with cum ≥ p·total (cum is non-decreasing: advance from the last one)
                int m = Math.Max(prefix[c], 1);
                while (m < d && cum[c][m - 1] < p * total[c] * (1 - 1e-12)) m++;
                prefix[c] = m;
                for (int r = 0; r < m; r++)
                {
                    int j = sorted[c][r];
                    if (!added[j]) { added[j] = true; fresh.Add(j); }
                }
            }
            foreach (int j in fresh.OrderByDescending(j => maxAbs[j]).ThenBy(j => j))
            {
                order.Add(j); score[j] = 1 - p;
            }
        }
        var mean = MeanAbsWeight(model);
        foreach (int j in Enumerable.Range(0, d).Where(j => !added[j]).OrderByDescending(j => mean[j]).ThenBy(j => j))
        {
            order.Add(j); score[j] = -1;
        }
        return (order.ToArray(), score);
    }
}
