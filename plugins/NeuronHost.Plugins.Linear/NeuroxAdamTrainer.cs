using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>NeuroX's probe trainer (<c>linear_probe._train_probe</c>), for users who compare with
/// NeuroX papers: a linear layer on the raw (unstandardised) activations, loss = mean
/// cross-entropy of the batch + λ1·Σ|W| + λ2·‖W‖_F (bias unpenalised), torch's Adam with its
/// defaults (β = 0.9, 0.999, ε = 1e-8) at learning rate lr, a fixed number of epochs over batches
/// taken in row order (no shuffling, the last batch shorter), no stopping rule. Unlike the default
/// elastic-net solver this does not reach the objective's optimum; its weights are what NeuroX's
/// get_neuron_ordering reads. The initial weights are torch's nn.Linear scheme (uniform in
/// ±1/√features) from a seeded generator, <see cref="InitialParameters"/>, so a reference can start
/// from the same point. Rows labelled -1 (no class) are left out before batching.</summary>
public static class NeuroxAdamTrainer
{
    private const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;

    /// <summary>W [features, classes] row-major and b [classes], uniform in ±1/√features.</summary>
    public static (float[] W, float[] B) InitialParameters(int features, int classes, int seed)
    {
        var rng = new SplitMix64((ulong)seed * 0x9E3779B97F4A7C15UL + 0x4E6575726F58UL);
        double bound = 1 / Math.Sqrt(features);
        float Draw() => (float)((((rng.Next() >> 11) + 0.5) / (1UL << 53) * 2 - 1) * bound);
        var w = new float[features * classes];
        for (int i = 0; i < w.Length; i++) w[i] = Draw();
        var b = new float[classes];
        for (int i = 0; i < b.Length; i++) b[i] = Draw();
        return (w, b);
    }

    public static SoftmaxModel Fit(float[] x, int rows, int features, ReadOnlySpan<int> labels, int classes,
        double l1, double l2, int epochs, int batchSize, double learningRate, int seed, IComputeKernels kernels,
        IProgress<ProgressReport>? progress, CancellationToken cancellation)
    {
        if (batchSize < 1) throw new PluginInputException($"linear: batch size must be at least 1 (got {batchSize})");
        if (epochs < 1) throw new PluginInputException($"linear: epochs must be at least 1 (got {epochs})");
        // Keep the labelled rows, in order.
        var keep = new List<int>(rows);
        for (int i = 0; i < rows; i++) if (labels[i] >= 0) keep.Add(i);
        int n = keep.Count;
        if (n == 0) throw new PluginInputException("linear: no labelled training rows");
        float[] xs; int[] ys = new int[n];
        if (n == rows) xs = x;
        else
        {
            xs = new float[(long)n * features];
            for (int r = 0; r < n; r++) Array.Copy(x, (long)keep[r] * features, xs, (long)r * features, features);
        }
        for (int r = 0; r < n; r++) ys[r] = labels[keep[r]];

        var (w, b) = InitialParameters(features, classes, seed);
        int p = w.Length;
        var m1 = new float[p + classes]; var m2 = new float[p + classes];
        var gw = new float[p]; var gb = new float[classes];
        var z = new float[batchSize * classes];
        int step = 0, batches = (n + batchSize - 1) / batchSize;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int lo = 0; lo < n; lo += batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                int count = Math.Min(batchSize, n - lo);
                var xb = new ReadOnlySpan<float>(xs, lo * features, count * features);
                kernels.Sgemm(false, false, count, classes, features, 1f, xb, features, w, classes, 0f, z, classes);
                // dL/dz = (softmax − onehot) / count
                for (int r = 0; r < count; r++)
                {
                    var row = z.AsSpan(r * classes, classes);
                    float max = float.NegativeInfinity;
                    for (int c = 0; c < classes; c++) { row[c] += b[c]; if (row[c] > max) max = row[c]; }
                    double sum = 0;
                    for (int c = 0; c < classes; c++) sum += Math.Exp(row[c] - max);
                    for (int c = 0; c < classes; c++) row[c] = (float)(Math.Exp(row[c] - max) / sum / count);
                    row[ys[lo + r]] -= 1f / count;
                }
                kernels.Sgemm(true, false, features, classes, count, 1f, xb, features, z, classes, 0f, gw, classes);
                Array.Clear(gb);
                for (int r = 0; r < count; r++) for (int c = 0; c < classes; c++) gb[c] += z[r * classes + c];
                double norm = SoftmaxObjective.Norm(w);
                step++;
                float c1 = 1 - MathF.Pow(Beta1, step), c2Sqrt = MathF.Sqrt(1 - MathF.Pow(Beta2, step));
                float stepSize = (float)learningRate / c1;
                for (int k = 0; k < p + classes; k++)
                {
                    float g;
                    if (k < p) g = gw[k] + (float)l1 * MathF.Sign(w[k]) + (norm > 0 ? (float)(l2 * w[k] / norm) : 0f);
                    else g = gb[k - p];
                    m1[k] += (1 - Beta1) * (g - m1[k]);
                    m2[k] = Beta2 * m2[k] + (1 - Beta2) * g * g;
                    float update = stepSize * m1[k] / (MathF.Sqrt(m2[k]) / c2Sqrt + Epsilon);
                    if (k < p) w[k] -= update; else b[k - p] -= update;
                }
                progress?.Report(new ProgressReport("linear (neurox-adam)", epoch * batches + lo / batchSize + 1, epochs * batches, "batches"));
            }
        }
        var zeros = new float[features]; var ones = new float[features];
        Array.Fill(ones, 1f);
        return new SoftmaxModel(features, classes, w, b, zeros, ones) { Iterations = step };
    }
}
