using System.Numerics.Tensors;
using NeuronHost.Kernels.Blas;
using NeuronHost.Runtime.Models.Ops;

namespace NeuronHost.Runtime.Models;

/// <summary>Reverse mode through the whole model for one sequence: from ∂out/∂logits of one
/// row back to every layer's hook points, recording the gradients the plan asks for.</summary>
internal sealed partial class TransformerModel
{
    /// <summary>Backpropagates <paramref name="dLogits"/> [vocab] of packed row
    /// <paramref name="row"/> through a traced forward of one sequence.</summary>
    public void Backward(ForwardTrace trace, HookPlan plan, int row, float[] dLogits, CancellationToken cancellation)
    {
        var c = Config;
        int T = trace.Tokens, H = c.Hidden, F = c.Ffn, W = c.QkvWidth, V = c.Vocab;

        // head: logits = h·Eᵀ (+ b)
        var dh = new float[H];
        Gemm.Sgemm(false, false, 1, H, V, 1f, dLogits, V, Weights.HeadWeight.Span, H, 0f, dh, H);
        if (Weights.HeadTransform is { } dense)
        {
            var dt = new float[H];
            Weights.HeadTransformNorm!.Backward(dh, trace.HeadXhat, trace.HeadRstd, dt, 1, H, accumulate: false);
            for (int i = 0; i < H; i++) dt[i] *= Activations.Derivative(c.Act, trace.HeadPre[i]);
            dense.BackwardInput(dt, H, 1, dh, 0f);
        }
        var dx = new float[T * H];
        if (Weights.FinalNorm is { } final) final.Backward(dh, trace.FinalXhat, trace.FinalRstd, dx.AsSpan(row * H, H), 1, H, accumulate: false);
        else dh.CopyTo(dx, row * H);

        var dBranch = new float[T * H];
        var dPost = new float[T * F];
        var dPre = new float[T * F];
        var dUp = c.Gated ? new float[T * F] : null;
        var dIn = new float[T * H];
        var dz = new float[T * c.QDim];
        var dQkv = new float[T * W];
        var dSum = c.PreNorm ? null : new float[T * H];

        for (int l = c.Layers - 1; l >= 0; l--)
        {
            cancellation.ThrowIfCancellationRequested();
            var layer = Weights.Layers[l];
            var cache = trace.Layers[l];
            plan.Backward(l, HookKind.ResidPost, dx);

            // feed-forward: x_out = x_mid + mlp(norm2(x_mid))  |  x_out = norm2(x_mid + mlp(x_mid))
            if (!c.PreNorm)
            {
                layer.Norm2.Backward(dx, cache.Xhat2, cache.Rstd2, dSum, T, H, accumulate: false);
                Array.Copy(dSum!, dx, T * H);
            }
            Array.Copy(dx, dBranch, T * H);
            plan.Backward(l, HookKind.MlpOut, dBranch);
            layer.Down.BackwardInput(dBranch, H, T, dPost, 0f);
            plan.Backward(l, HookKind.MlpPost, dPost);
            for (int i = 0; i < T * F; i++)
            {
                float pre = cache.Pre[i];
                if (dUp is not null)
                {
                    dUp[i] = dPost[i] * Activations.Value(c.Act, pre);
                    dPre[i] = dPost[i] * cache.Up![i] * Activations.Derivative(c.Act, pre);
                }
                else dPre[i] = dPost[i] * Activations.Derivative(c.Act, pre);
            }
            if (dUp is not null) plan.Backward(l, HookKind.MlpPreLinear, dUp);
            plan.Backward(l, HookKind.MlpPre, dPre);
            if (layer.Gate is not null)
            {
                layer.Gate.BackwardInput(dPre, F, T, dIn, 0f);
                layer.Up.BackwardInput(dUp!, F, T, dIn, 1f);
            }
            else layer.Up.BackwardInput(dPre, F, T, dIn, 0f);
            if (c.PreNorm) layer.Norm2.Backward(dIn, cache.Xhat2, cache.Rstd2, dx, T, H, accumulate: true);
            else TensorPrimitives.Add(dx, dIn, dx);

            // attention: x_mid = x_in + attn(norm1(x_in))  |  x_mid = norm1(x_in + attn(x_in))
            if (!c.PreNorm)
            {
                layer.Norm1.Backward(dx, cache.Xhat1, cache.Rstd1, dSum, T, H, accumulate: false);
                Array.Copy(dSum!, dx, T * H);
            }
            Array.Copy(dx, dBranch, T * H);
            plan.Backward(l, HookKind.AttnOut, dBranch);
            layer.AttnOut.BackwardInput(dBranch, H, T, dz, 0f);
            plan.Backward(l, HookKind.AttnZ, dz);
            Attention.Backward(cache.Qkv, cache.Probs, dz, c.Heads, c.KvHeads, c.HeadDim, T, dQkv);
            if (rope is not null) ApplyRope(dQkv, new SequenceLayout([new int[T]]), inverse: true);
            for (int p = 0; p < layer.QkvParts.Length; p++)
                layer.QkvParts[p].BackwardInput(dQkv.AsSpan(layer.QkvOffsets[p]), W, T, dIn, p == 0 ? 0f : 1f);
            if (c.PreNorm) layer.Norm1.Backward(dIn, cache.Xhat1, cache.Rstd1, dx, T, H, accumulate: true);
            else TensorPrimitives.Add(dx, dIn, dx);
            plan.Backward(l, HookKind.ResidPre, dx);
        }
    }
}
