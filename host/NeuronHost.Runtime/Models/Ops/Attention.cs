using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using NeuronHost.Kernels.Blas;

namespace NeuronHost.Runtime.Models.Ops;

/// <summary>Scaled dot-product attention over the packed qkv matrix [tokens, qDim + 2·kvDim]
/// (q heads, then k heads, then v heads), causal or bidirectional inside each sequence,
/// grouped-query when there are fewer kv heads. Parallel over (sequence, head).</summary>
public static class Attention
{
    public static void Forward(float[] qkv, int heads, int kvHeads, int headDim, SequenceLayout layout,
        bool causal, float[] z, float[]? probs)
    {
        int qDim = heads * headDim, kvDim = kvHeads * headDim, width = qDim + 2 * kvDim;
        int group = heads / kvHeads;
        float scale = 1f / MathF.Sqrt(headDim);
        int maxLen = layout.Lengths.Length == 0 ? 0 : layout.Lengths.Max();
        int padded = (maxLen + 7) / 8 * 8;
        bool simd = Vector256.IsHardwareAccelerated && headDim % 8 == 0;
        // Long sequences through OpenBLAS, one (sequence, head) at a time with BLAS's own threads;
        // the rest below, in parallel over (sequence, head). Backward's probabilities come from the loop.
        var viaGemm = probs is null && Gemm.UsesOpenBlas
            ? Enumerable.Range(0, layout.Count).Where(s => layout.Lengths[s] >= GemmMinLength).ToArray() : [];
        if (viaGemm.Length > 0)
        {
            var block = new float[GemmRowBlock * maxLen];
            foreach (int s in viaGemm)
                for (int h = 0; h < heads; h++)
                {
                    int kv = h / group;
                    HeadByGemm(qkv, width, layout.Offsets[s], layout.Lengths[s], h * headDim, qDim + kv * headDim, qDim + kvDim + kv * headDim,
                        headDim, qDim, scale, causal, z, block);
                }
        }
        var rest = viaGemm.Length == 0 ? null : Enumerable.Range(0, layout.Count).Except(viaGemm).ToArray();
        Parallel.For(0, (rest?.Length ?? layout.Count) * heads, () => new Scratch(padded, headDim), (work, _, scratch) =>
        {
            int s = rest?[work / heads] ?? work / heads, h = work % heads, kv = h / group;
            int off = layout.Offsets[s], len = layout.Lengths[s];
            int qCol = h * headDim, kCol = qDim + kv * headDim, vCol = qDim + kvDim + kv * headDim;
            if (simd) scratch.Load(qkv, width, off, len, kCol, vCol, headDim);
            for (int i = 0; i < len; i++)
            {
                int end = causal ? i + 1 : len;
                var q = qkv.AsSpan((off + i) * width + qCol, headDim);
                var row = scratch.Scores.AsSpan(0, end);
                var zi = z.AsSpan((off + i) * qDim + qCol, headDim);
                if (simd) scratch.Scores_(q, end, scale);
                else
                    for (int j = 0; j < end; j++)
                        row[j] = TensorPrimitives.Dot(q, qkv.AsSpan((off + j) * width + kCol, headDim)) * scale;
                TensorPrimitives.SoftMax(row, row);
                if (simd) scratch.Mix(row, zi);
                else
                {
                    zi.Clear();
                    for (int j = 0; j < end; j++)
                        TensorPrimitives.MultiplyAdd(qkv.AsSpan((off + j) * width + vCol, headDim), row[j], zi, zi);
                }
                if (probs is not null)
                {
                    var dst = probs.AsSpan((h * len + i) * len, len);
                    dst.Clear();
                    row.CopyTo(dst);
                }
            }
            return scratch;
        }, _ => { });
    }

    /// <summary>Sequences this long or longer go through <see cref="HeadByGemm"/>: at GPT-2 small's
    /// 1 × 1,024 the row loop ran the attention at a fraction of SGEMM speed and took two thirds of
    /// the forward; at 128 tokens the loop is as fast and runs heads in parallel.</summary>
    internal const int GemmMinLength = 256;
    private const int GemmRowBlock = 256;

    /// <summary>One head of one sequence as products: a block of query rows at a time, scores
    /// S = scale·Q·Kᵀ over the keys the block can see (causal: up to its last row, so about half
    /// of the full square), row softmax with the masked tail zeroed, then Z = P·V. The scores of
    /// one block (rows × length) are all that is materialised.</summary>
    private static void HeadByGemm(float[] qkv, int width, int off, int len, int qCol, int kCol, int vCol, int headDim, int qDim,
        float scale, bool causal, float[] z, float[] block)
    {
        var all = qkv.AsSpan();
        for (int r0 = 0; r0 < len; r0 += GemmRowBlock)
        {
            int m = Math.Min(GemmRowBlock, len - r0), keys = causal ? r0 + m : len;
            var scores = block.AsSpan(0, m * keys);
            Gemm.Sgemm(false, true, m, keys, headDim, scale, all[((off + r0) * width + qCol)..], width, all[(off * width + kCol)..], width,
                0f, scores, keys);
            Parallel.For(0, m, i =>
            {
                var row = block.AsSpan(i * keys, keys);
                int end = causal ? r0 + i + 1 : keys;
                TensorPrimitives.SoftMax(row[..end], row[..end]);
                row[end..].Clear();
            });
            Gemm.Sgemm(false, false, m, headDim, keys, 1f, scores, keys, all[(off * width + vCol)..], width,
                0f, z.AsSpan((off + r0) * qDim + qCol), qDim);
        }
    }

    /// <summary>One (sequence, head) worth of keys transposed to [headDim, padded length] and
    /// values gathered to [length, headDim], so the inner loops are register-blocked FMAs.</summary>
    private sealed class Scratch(int padded, int headDim)
    {
        public readonly float[] Scores = new float[Math.Max(padded, 8)];
        private readonly float[] keysT = new float[headDim * Math.Max(padded, 8)];
        private readonly float[] values = new float[Math.Max(padded, 8) * headDim];

        public void Load(float[] qkv, int width, int off, int len, int kCol, int vCol, int hd)
        {
            int stride = Scores.Length;
            Array.Clear(keysT);
            for (int j = 0; j < len; j++)
            {
                var k = qkv.AsSpan((off + j) * width + kCol, hd);
                for (int d = 0; d < hd; d++) keysT[d * stride + j] = k[d];
                qkv.AsSpan((off + j) * width + vCol, hd).CopyTo(values.AsSpan(j * hd, hd));
            }
        }

        /// <summary>Scores[j] = scale·q·k_j for j &lt; end (computed in blocks of 8).</summary>
        public void Scores_(ReadOnlySpan<float> q, int end, float scale)
        {
            int stride = Scores.Length, hd = q.Length;
            ref float kt = ref keysT[0];
            ref float sc = ref Scores[0];
            for (int j0 = 0; j0 < end; j0 += 8)
            {
                var acc = Vector256<float>.Zero;
                for (int d = 0; d < hd; d++)
                    acc = Vector256.FusedMultiplyAdd(Vector256.Create(q[d]), Vector256.LoadUnsafe(ref kt, (nuint)(d * stride + j0)), acc);
                (acc * scale).StoreUnsafe(ref sc, (nuint)j0);
            }
        }

        /// <summary>z = Σ_j p_j·v_j.</summary>
        public void Mix(ReadOnlySpan<float> p, Span<float> z)
        {
            int hd = z.Length;
            ref float v = ref values[0];
            for (int d0 = 0; d0 < hd; d0 += 8)
            {
                var acc = Vector256<float>.Zero;
                for (int j = 0; j < p.Length; j++)
                    acc = Vector256.FusedMultiplyAdd(Vector256.Create(p[j]), Vector256.LoadUnsafe(ref v, (nuint)(j * hd + d0)), acc);
                acc.CopyTo(z.Slice(d0, 8));
            }
        }
    }

    /// <summary>Gradient for one sequence of length T (rows 0..T): from dz [T, qDim] and the
    /// cached probabilities [heads, T, T] to dqkv [T, width] (overwritten).</summary>
    public static void Backward(float[] qkv, float[] probs, float[] dz, int heads, int kvHeads, int headDim, int length, float[] dqkv)
    {
        int qDim = heads * headDim, kvDim = kvHeads * headDim, width = qDim + 2 * kvDim;
        int group = heads / kvHeads, T = length;
        float scale = 1f / MathF.Sqrt(headDim);
        Array.Clear(dqkv, 0, T * width);
        // kv heads own disjoint dk/dv columns, so they run in parallel; their q heads in turn.
        Parallel.For(0, kvHeads, kv =>
        {
            var dp = new float[T];
            int kCol = qDim + kv * headDim, vCol = qDim + kvDim + kv * headDim;
            for (int h = kv * group; h < (kv + 1) * group; h++)
            {
                int qCol = h * headDim;
                for (int i = 0; i < T; i++)
                {
                    var p = probs.AsSpan((h * T + i) * T, T);
                    var dzi = dz.AsSpan(i * qDim + qCol, headDim);
                    double dot = 0;
                    for (int j = 0; j < T; j++)
                    {
                        if (p[j] == 0f) { dp[j] = 0; continue; }
                        dp[j] = TensorPrimitives.Dot(dzi, qkv.AsSpan(j * width + vCol, headDim));
                        dot += p[j] * dp[j];
                        // dv_j += p_ij · dz_i
                        var dv = dqkv.AsSpan(j * width + vCol, headDim);
                        TensorPrimitives.MultiplyAdd(dzi, p[j], dv, dv);
                    }
                    var dq = dqkv.AsSpan(i * width + qCol, headDim);
                    var q = qkv.AsSpan(i * width + qCol, headDim);
                    for (int j = 0; j < T; j++)
                    {
                        if (p[j] == 0f) continue;
                        float ds = (float)(p[j] * (dp[j] - dot)) * scale;
                        TensorPrimitives.MultiplyAdd(qkv.AsSpan(j * width + kCol, headDim), ds, dq, dq);
                        var dk = dqkv.AsSpan(j * width + kCol, headDim);
                        TensorPrimitives.MultiplyAdd(q, ds, dk, dk);
                    }
                }
            }
        });
    }
}
