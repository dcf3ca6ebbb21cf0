using NeuronHost.Kernels.Blas;
using NeuronHost.Runtime.Models.Ops;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>Attention against softmax(q·kᵀ/√d)·v written out in float64, on batches that mix
/// sequences long enough for the products path (≥ <see cref="Attention.GemmMinLength"/> tokens)
/// with short ones that take the row loop.</summary>
public sealed class AttentionTests
{
    [Theory]
    [InlineData(true, 4, 4)]
    [InlineData(false, 4, 4)]
    [InlineData(true, 4, 2)]    // grouped-query: two query heads per key/value head
    public void Long_and_short_sequences_match_the_definition(bool causal, int heads, int kvHeads)
    {
        Assert.True(Gemm.UsesOpenBlas, "OpenBLAS (Debian libopenblas0-pthread) is required: without it every sequence takes the row loop");
        const int headDim = 16;
        int[] lengths = [Attention.GemmMinLength + 45, 7, Attention.GemmMinLength * 2 + 3];
        var layout = new SequenceLayout(lengths.Select(n => new int[n]).ToArray());
        int qDim = heads * headDim, kvDim = kvHeads * headDim, width = qDim + 2 * kvDim;
        var rng = new Random(5);
        var qkv = Enumerable.Range(0, layout.Total * width).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var z = new float[layout.Total * qDim];
        Attention.Forward(qkv, heads, kvHeads, headDim, layout, causal, z, probs: null);

        double worst = 0;
        for (int s = 0; s < lengths.Length; s++)
            for (int h = 0; h < heads; h++)
            {
                int off = layout.Offsets[s], len = lengths[s], kv = h / (heads / kvHeads);
                for (int i = 0; i < len; i++)
                {
                    int end = causal ? i + 1 : len;
                    var w = new double[end];
                    for (int j = 0; j < end; j++)
                    {
                        double dot = 0;
                        for (int d = 0; d < headDim; d++)
                            dot += (double)qkv[(off + i) * width + h * headDim + d] * qkv[(off + j) * width + qDim + kv * headDim + d];
                        w[j] = dot / Math.Sqrt(headDim);
                    }
                    double max = w.Max(), sum = w.Sum(v => Math.Exp(v - max));
                    for (int d = 0; d < headDim; d++)
                    {
                        double expected = 0;
                        for (int j = 0; j < end; j++)
                            expected += Math.Exp(w[j] - max) / sum * qkv[(off + j) * width + qDim + kvDim + kv * headDim + d];
                        worst = Math.Max(worst, Math.Abs(expected - z[(off + i) * qDim + h * headDim + d]));
                    }
                }
            }
        Assert.True(worst < 2e-5, $"max |Δ| {worst} against the float64 definition");
    }
}
