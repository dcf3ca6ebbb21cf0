using NeuronHost.Kernels.Blas;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models.UseLite;

/// <summary>The USE-Lite computation, as its TF.js graph defines it: twice the token embeddings
/// plus a sinusoidal timing signal; per layer pre-LayerNorm multi-head attention (padding keys masked)
/// and a pre-LayerNorm ReLU FFN, both residual (layer 0 projects its residual 256→512); mean
/// pooling over the sequence; a tanh layer; L2 normalisation. Each sequence is encoded on its own, unpadded: the graph's masks
/// (<c>Greater(ids, -1)</c>) only ever exclude batch padding, so every position here is real.</summary>
public sealed class UseLiteEncoder(UseLiteWeights weights)
{
    public UseLiteWeights Weights { get; } = weights;

    /// <summary>Hook point → width, in TransformerLens naming.</summary>
    public IReadOnlyDictionary<string, int> HookPointWidths()
    {
        var widths = new Dictionary<string, int>();
        for (int l = 0; l < Weights.Layers.Count; l++)
        {
            var layer = Weights.Layers[l];
            widths[HookPoints.ResidPre(l)] = layer.InputWidth;
            widths[HookPoints.AttnZ(l)] = layer.AttentionWidth;
            widths[HookPoints.AttnOut(l)] = Weights.ModelWidth;
            widths[HookPoints.MlpPre(l)] = layer.FfnInBias.Length;
            widths[HookPoints.MlpPost(l)] = layer.FfnInBias.Length;
            widths[HookPoints.MlpOut(l)] = Weights.ModelWidth;
            widths[HookPoints.ResidPost(l)] = Weights.ModelWidth;
        }
        return widths;
    }

    /// <summary>Encodes one sequence of ids (clipped to the model's maximum length) into its
    /// unit-norm sentence embedding. <paramref name="hooks"/> sees every hook point value
    /// [length, width] and may edit it in place before the computation goes on.</summary>
    public float[] Encode(ReadOnlySpan<int> ids, Action<string, float[], int, int>? hooks = null)
    {
        int n = Math.Min(ids.Length, Weights.MaxLength);
        for (int p = 0; p < n; p++)
            if ((uint)ids[p] >= (uint)Weights.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {ids[p]} at position {p} is outside the vocabulary (0..{Weights.VocabSize - 1})");

        var x = Embed(ids[..n]);
        int width = Weights.EmbeddingWidth;
        for (int l = 0; l < Weights.Layers.Count; l++)
        {
            var layer = Weights.Layers[l];
            hooks?.Invoke(HookPoints.ResidPre(l), x, n, width);
            x = Layer(l, layer, x, n, hooks);
            width = Weights.ModelWidth;
            hooks?.Invoke(HookPoints.ResidPost(l), x, n, width);
        }
        return Pool(x, n);
    }

    private float[] Embed(ReadOnlySpan<int> ids)
    {
        int d = Weights.EmbeddingWidth, half = Weights.InverseTimescales.Length;
        var x = new float[ids.Length * d];
        for (int p = 0; p < ids.Length; p++)
        {
            // The graph adds the embeddings to (embeddings + timing signal) once more
            // (TransformerStack/Layer_0/add), so the input is 2·embedding + signal.
            var row = x.AsSpan(p * d, d);
            var embedding = Weights.Embeddings.AsSpan(ids[p] * d, d);
            for (int i = 0; i < d; i++) row[i] = 2f * embedding[i];
            for (int i = 0; i < half; i++)
            {
                float angle = p * Weights.InverseTimescales[i];
                row[i] += MathF.Sin(angle);
                row[half + i] += MathF.Cos(angle);
            }
        }
        return x;
    }

    private float[] Layer(int l, UseLiteLayer layer, float[] x, int n, Action<string, float[], int, int>? hooks)
    {
        int din = layer.InputWidth, d = layer.AttentionWidth, dm = Weights.ModelWidth, ff = layer.FfnInBias.Length;

        var normed = LayerNorm(x, n, din, layer.AttentionNormScale, layer.AttentionNormBias);
        var qkv = Linear(normed, n, din, layer.QkvKernel, layer.QkvBias, 3 * d);
        var z = Attention(qkv, n, layer);
        hooks?.Invoke(HookPoints.AttnZ(l), z, n, d);
        var attnOut = Linear(z, n, d, layer.OutputKernel, layer.OutputBias, dm);
        hooks?.Invoke(HookPoints.AttnOut(l), attnOut, n, dm);

        if (layer.ResidualKernel is not null)
        {
            var projected = Linear(x, n, din, layer.ResidualKernel, layer.ResidualBias!, dm);
            for (int i = 0; i < attnOut.Length; i++) attnOut[i] += projected[i];
        }
        else
        {
            for (int i = 0; i < attnOut.Length; i++) attnOut[i] += x[i];
        }
        var resid = attnOut;

        var ffnIn = LayerNorm(resid, n, dm, layer.FfnNormScale, layer.FfnNormBias);
        var pre = Linear(ffnIn, n, dm, layer.FfnInKernel, layer.FfnInBias, ff);
        hooks?.Invoke(HookPoints.MlpPre(l), pre, n, ff);
        var post = new float[pre.Length];
        for (int i = 0; i < pre.Length; i++) post[i] = MathF.Max(pre[i], 0f);
        hooks?.Invoke(HookPoints.MlpPost(l), post, n, ff);
        var mlpOut = Linear(post, n, ff, layer.FfnOutKernel, layer.FfnOutBias, dm);
        hooks?.Invoke(HookPoints.MlpOut(l), mlpOut, n, dm);
        for (int i = 0; i < resid.Length; i++) resid[i] += mlpOut[i];
        return resid;
    }

    private static float[] Attention(float[] qkv, int n, UseLiteLayer layer)
    {
        int d = layer.AttentionWidth, hd = layer.HeadDim, stride = 3 * d;
        var z = new float[n * d];
        var scores = new float[n];
        for (int h = 0; h < layer.Heads; h++)
        {
            for (int i = 0; i < n; i++)
            {
                var q = qkv.AsSpan(i * stride + h * hd, hd);
                float max = float.NegativeInfinity;
                for (int j = 0; j < n; j++)
                {
                    var k = qkv.AsSpan(j * stride + d + h * hd, hd);
                    float s = 0;
                    for (int t = 0; t < hd; t++) s += q[t] * layer.QueryScale * k[t];
                    scores[j] = s;
                    if (s > max) max = s;
                }
                float sum = 0;
                for (int j = 0; j < n; j++) { scores[j] = MathF.Exp(scores[j] - max); sum += scores[j]; }
                var zi = z.AsSpan(i * d + h * hd, hd);
                for (int j = 0; j < n; j++)
                {
                    float a = scores[j] / sum;
                    var v = qkv.AsSpan(j * stride + 2 * d + h * hd, hd);
                    for (int t = 0; t < hd; t++) zi[t] += a * v[t];
                }
            }
        }
        return z;
    }

    private float[] Pool(float[] x, int n)
    {
        int dm = Weights.ModelWidth;
        var pooled = new float[dm];
        for (int p = 0; p < n; p++)
            for (int i = 0; i < dm; i++) pooled[i] += x[p * dm + i];
        float denominator = Math.Max(n, 1);
        for (int i = 0; i < dm; i++) pooled[i] /= denominator;

        var hidden = Linear(pooled, 1, dm, Weights.TanhKernel, Weights.TanhBias, dm);
        double squares = 0;
        for (int i = 0; i < dm; i++) { hidden[i] = MathF.Tanh(hidden[i]); squares += hidden[i] * hidden[i]; }
        float scale = 1f / MathF.Sqrt(MathF.Max((float)squares, Weights.L2Epsilon));
        for (int i = 0; i < dm; i++) hidden[i] *= scale;
        return hidden;
    }

    private float[] LayerNorm(float[] x, int n, int d, float[] scale, float[] bias)
    {
        var y = new float[n * d];
        for (int r = 0; r < n; r++)
        {
            var row = x.AsSpan(r * d, d);
            float mean = 0; foreach (var v in row) mean += v; mean /= d;
            float variance = 0; foreach (var v in row) variance += (v - mean) * (v - mean); variance /= d;
            float inv = 1f / MathF.Sqrt(variance + Weights.NormEpsilon);
            var outRow = y.AsSpan(r * d, d);
            for (int i = 0; i < d; i++) outRow[i] = scale[i] * inv * (row[i] - mean) + bias[i];
        }
        return y;
    }

    private static float[] Linear(float[] x, int n, int din, float[] kernel, float[] bias, int dout)
    {
        var y = new float[n * dout];
        for (int r = 0; r < n; r++) bias.AsSpan().CopyTo(y.AsSpan(r * dout, dout));
        Gemm.Sgemm(false, false, n, dout, din, 1f, x, din, kernel, dout, 1f, y, dout);
        return y;
    }
}
