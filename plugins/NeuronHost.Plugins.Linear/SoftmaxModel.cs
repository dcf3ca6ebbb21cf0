namespace NeuronHost.Plugins.Linear;

/// <summary>A trained multinomial logistic regression. <see cref="Weights"/> [Features, Classes]
/// row-major live in standardised space (the space the penalty was applied in, so their
/// magnitudes rank neurons); <see cref="Mean"/>/<see cref="InvStd"/> map raw inputs there.</summary>
public sealed class SoftmaxModel(int features, int classes, float[] weights, float[] bias, float[] mean, float[] invStd)
{
    public int Features { get; } = features;
    public int Classes { get; } = classes;
    public float[] Weights { get; } = weights;
    public float[] Bias { get; } = bias;
    public float[] Mean { get; } = mean;
    public float[] InvStd { get; } = invStd;
    /// <summary>Final objective value (standardised space) and iterations used.</summary>
    public double Objective { get; init; }
    public int Iterations { get; init; }
    /// <summary>Floating-point operations of the solver's matrix products (training and
    /// early-stopping checks), for throughput figures.</summary>
    public double GemmFlops { get; init; }
    /// <summary>The iteration whose weights were kept when early stopping picked an earlier
    /// iterate than the last; null otherwise.</summary>
    public int? StoppedEarlyAt { get; init; }
    /// <summary>The held-out accuracy after each iteration, with the time since training
    /// started, when training stopped early on a held-out split; empty otherwise.</summary>
    public IReadOnlyList<DevCheck> DevChecks { get; init; } = [];

    public float Weight(int feature, int cls) => Weights[feature * Classes + cls];

    /// <summary>Weights and bias folded for raw (unstandardised) inputs: logits = x·W' + b'.</summary>
    public (float[] W, float[] B) RawSpace()
    {
        var w = new float[Weights.Length];
        var b = new float[Classes];
        FoldStandardisation(Weights, Bias, Mean, InvStd, w, b);
        return (w, b);
    }

    /// <summary>W' = W / std (per feature row), b' = b − Σ_j W'_j·mean_j: standardised-space
    /// weights [features, classes] as weights for raw inputs, into caller-owned buffers.</summary>
    public static void FoldStandardisation(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> invStd, Span<float> rawWeights, Span<float> rawBias)
    {
        int classes = bias.Length;
        Span<double> b = classes <= 256 ? stackalloc double[classes] : new double[classes];
        for (int c = 0; c < classes; c++) b[c] = bias[c];
        for (int j = 0; j < mean.Length; j++)
            for (int c = 0; c < classes; c++)
            {
                float wj = weights[j * classes + c] * invStd[j];
                rawWeights[j * classes + c] = wj;
                b[c] -= (double)wj * mean[j];
            }
        for (int c = 0; c < classes; c++) rawBias[c] = (float)b[c];
    }
}
