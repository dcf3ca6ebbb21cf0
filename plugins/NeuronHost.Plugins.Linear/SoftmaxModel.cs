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

    public float Weight(int feature, int cls) => Weights[feature * Classes + cls];

    /// <summary>Weights and bias folded for raw (unstandardised) inputs: logits = x·W' + b'.</summary>
    public (float[] W, float[] B) RawSpace()
    {
        var w = new float[Weights.Length];
        var b = new double[Classes];
        for (int c = 0; c < Classes; c++) b[c] = Bias[c];
        for (int j = 0; j < Features; j++)
            for (int c = 0; c < Classes; c++)
            {
                float wj = Weights[j * Classes + c] * InvStd[j];
                w[j * Classes + c] = wj;
                b[c] -= (double)wj * Mean[j];
            }
        return (w, b.Select(v => (float)v).ToArray());
    }
}
