using System.Numerics.Tensors;
using NeuronHost.Kernels.Blas;
using NeuronHost.Runtime.Models.Ops;

namespace NeuronHost.Runtime.Models;

/// <summary>The family-neutral transformer: a packed batch [tokens, hidden] flows through the
/// blocks with hooks between the ops; linear layers are single large SGEMMs over all tokens.</summary>
internal sealed partial class TransformerModel(TransformerConfig config, TransformerWeights weights)
{
    public TransformerConfig Config { get; } = config;
    public TransformerWeights Weights { get; } = weights;
    private readonly Rope? rope = config.Rope ? new Rope(config.HeadDim, config.MaxPositions, config.RopeTheta) : null;

    public void Validate(IReadOnlyList<int[]> sequences)
    {
        for (int s = 0; s < sequences.Count; s++)
        {
            var seq = sequences[s] ?? throw new ArgumentException($"sequence {s} is null");
            if (seq.Length > Config.MaxPositions)
                throw new ArgumentException($"sequence {s} has {seq.Length} tokens; this model takes at most {Config.MaxPositions}");
            for (int p = 0; p < seq.Length; p++)
                if ((uint)seq[p] >= (uint)Config.Vocab)
                    throw new ArgumentException($"token id {seq[p]} (sequence {s}, position {p}) is outside the vocabulary of {Config.Vocab}");
        }
    }

    /// <summary>Runs the blocks and returns the logits [logitRows.Length, vocab] of the given
    /// packed rows, as one array, or split into consecutive parts of <paramref name="splitRows"/>
    /// rows each, every part written by its own product (no copy of the whole logits afterwards).
    /// <paramref name="trace"/> (one sequence only) keeps what backward needs.</summary>
    public float[][] Forward(IReadOnlyList<int[]> sequences, SequenceLayout layout, HookPlan plan, int[] logitRows,
        ForwardTrace? trace, CancellationToken cancellation, int[]? splitRows = null)
    {
        var scratch = ForwardScratch.Take(scratchPool, Config, layout.Total);
        try
        {
            return Blocks(sequences, layout, plan, logitRows, trace, cancellation, splitRows, scratch);
        }
        finally { scratchPool.Add(scratch); }
    }

    /// <summary>Forwards' working buffers, kept for the next call: fresh memory costs a page fault
    /// per 4 KB on first touch (writing 206 MB of fresh memory took 0.35 s longer than writing
    /// reused memory on the machines here; GPT-2 small's 8 × 128 forward works in 46 MB), while
    /// reused buffers are already mapped. One set per concurrent call.</summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<ForwardScratch> scratchPool = [];

    private float[][] Blocks(IReadOnlyList<int[]> sequences, SequenceLayout layout, HookPlan plan, int[] logitRows,
        ForwardTrace? trace, CancellationToken cancellation, int[]? splitRows, ForwardScratch scratch)
    {
        var c = Config;
        int T = layout.Total, H = c.Hidden, F = c.Ffn, W = c.QkvWidth;
        // The buffers may be longer than this batch needs: every op below is given T (or a slice).
        var (x, h, qkv, z, branch, pre, up, post) = (scratch.X, scratch.H, scratch.Qkv, scratch.Z, scratch.Branch, scratch.Pre, scratch.Up, scratch.Post);
        Embed(sequences, layout, x);

        for (int l = 0; l < c.Layers; l++)
        {
            cancellation.ThrowIfCancellationRequested();
            var layer = Weights.Layers[l];
            var cache = trace?.Layers[l];
            plan.Forward(l, HookKind.ResidPre, x);

            // attention
            if (c.PreNorm) layer.Norm1.Forward(x, h, T, H, cache?.Xhat1, cache?.Rstd1);
            float[] attnIn = c.PreNorm ? h : x;
            for (int p = 0; p < layer.QkvParts.Length; p++)
                layer.QkvParts[p].Forward(attnIn, T, qkv.AsSpan(layer.QkvOffsets[p]), W);
            if (rope is not null) ApplyRope(qkv, layout, inverse: false);
            if (cache is not null) qkv.AsSpan(0, T * W).CopyTo(cache.Qkv);
            Attention.Forward(qkv, c.Heads, c.KvHeads, c.HeadDim, layout, c.Causal, z, cache?.Probs);
            plan.Forward(l, HookKind.AttnZ, z);
            layer.AttnOut.Forward(z, T, branch, H);
            plan.Forward(l, HookKind.AttnOut, branch);
            TensorPrimitives.Add(x.AsSpan(0, T * H), branch.AsSpan(0, T * H), x.AsSpan(0, T * H));

            // feed-forward
            if (c.PreNorm) layer.Norm2.Forward(x, h, T, H, cache?.Xhat2, cache?.Rstd2);
            else layer.Norm1.Forward(x, x, T, H, cache?.Xhat1, cache?.Rstd1);
            float[] mlpIn = c.PreNorm ? h : x;
            if (layer.Gate is not null)
            {
                layer.Gate.Forward(mlpIn, T, pre, F);
                plan.Forward(l, HookKind.MlpPre, pre);
                layer.Up.Forward(mlpIn, T, up!, F);
                plan.Forward(l, HookKind.MlpPreLinear, up);
                ParallelActivation(c.Act, pre.AsMemory(0, T * F), post.AsMemory(0, T * F));
                TensorPrimitives.Multiply(post.AsSpan(0, T * F), up!.AsSpan(0, T * F), post.AsSpan(0, T * F));
                if (cache is not null) up.AsSpan(0, T * F).CopyTo(cache.Up!);
            }
            else
            {
                layer.Up.Forward(mlpIn, T, pre, F);
                plan.Forward(l, HookKind.MlpPre, pre);
                ParallelActivation(c.Act, pre.AsMemory(0, T * F), post.AsMemory(0, T * F));
            }
            if (cache is not null) pre.AsSpan(0, T * F).CopyTo(cache.Pre);
            plan.Forward(l, HookKind.MlpPost, post);
            layer.Down.Forward(post, T, branch, H);
            plan.Forward(l, HookKind.MlpOut, branch);
            TensorPrimitives.Add(x.AsSpan(0, T * H), branch.AsSpan(0, T * H), x.AsSpan(0, T * H));
            if (!c.PreNorm) layer.Norm2.Forward(x, x, T, H, cache?.Xhat2, cache?.Rstd2);
            plan.Forward(l, HookKind.ResidPost, x);
        }
        return Head(x, logitRows, trace, splitRows ?? [logitRows.Length]);
    }

    private void Embed(IReadOnlyList<int[]> sequences, SequenceLayout layout, float[] x)
    {
        int H = Config.Hidden;
        var tok = Weights.TokenEmbedding.Span;
        var pos = Weights.PositionEmbedding is null ? ReadOnlySpan<float>.Empty : Weights.PositionEmbedding.Span;
        var type0 = Weights.TokenTypeEmbedding is null ? ReadOnlySpan<float>.Empty : Weights.TokenTypeEmbedding.Span[..H];
        for (int s = 0; s < sequences.Count; s++)
        {
            var seq = sequences[s];
            for (int p = 0; p < seq.Length; p++)
            {
                var row = x.AsSpan((layout.Offsets[s] + p) * H, H);
                tok.Slice(seq[p] * H, H).CopyTo(row);
                if (!pos.IsEmpty) TensorPrimitives.Add(row, pos.Slice(p * H, H), row);
                if (!type0.IsEmpty) TensorPrimitives.Add(row, type0, row);
            }
        }
        Weights.EmbeddingNorm?.Forward(x, x, layout.Total, H);
    }

    private void ApplyRope(float[] qkv, SequenceLayout layout, bool inverse)
    {
        var c = Config;
        int W = c.QkvWidth;
        rope!.Reserve(layout.Lengths.Length == 0 ? 0 : layout.Lengths.Max());
        Parallel.For(0, layout.Count, s =>
        {
            for (int p = 0; p < layout.Lengths[s]; p++)
            {
                var row = qkv.AsSpan((layout.Offsets[s] + p) * W, W);
                rope!.Apply(row[..c.QDim], c.Heads, p, inverse);
                rope.Apply(row.Slice(c.QDim, c.KvDim), c.KvHeads, p, inverse);
            }
        });
    }

    private static void ParallelActivation(Activation act, Memory<float> input, Memory<float> output)
    {
        const int chunk = 16384;
        int chunks = (input.Length + chunk - 1) / chunk;
        if (chunks <= 1) { Activations.Forward(act, input.Span, output.Span); return; }
        Parallel.For(0, chunks, i =>
        {
            int start = i * chunk, n = Math.Min(chunk, input.Length - start);
            Activations.Forward(act, input.Span.Slice(start, n), output.Span.Slice(start, n));
        });
    }

    /// <summary>Final norm (and BERT's MLM transform) on the chosen rows, then the vocabulary
    /// projection, one [parts[i], vocab] array per part.</summary>
    private float[][] Head(float[] x, int[] rows, ForwardTrace? trace, int[] parts)
    {
        int H = Config.Hidden, V = Config.Vocab, R = rows.Length;
        if (parts.Sum() != R) throw new ArgumentException($"logit parts of {parts.Sum()} rows for {R} rows");
        if (R == 0) return parts.Select(_ => Array.Empty<float>()).ToArray();
        var hs = new float[R * H];
        for (int i = 0; i < R; i++) x.AsSpan(rows[i] * H, H).CopyTo(hs.AsSpan(i * H, H));
        Weights.FinalNorm?.Forward(hs, hs, R, H, trace?.FinalXhat, trace?.FinalRstd);
        if (Weights.HeadTransform is { } dense)
        {
            var t = new float[R * H];
            dense.Forward(hs, R, t, H);
            if (trace is not null) t.AsSpan(0, H).CopyTo(trace.HeadPre);
            ParallelActivation(Config.Act, t, t);
            Weights.HeadTransformNorm!.Forward(t, hs, R, H, trace?.HeadXhat, trace?.HeadRstd);
        }
        var result = new float[parts.Length][];
        for (int p = 0, first = 0; p < parts.Length; first += parts[p], p++)
        {
            int n = parts[p];
            var logits = result[p] = GC.AllocateUninitializedArray<float>(n * V);   // every value is written by the product
            if (n == 0) continue;
            Gemm.Sgemm(false, true, n, V, H, 1f, hs.AsSpan(first * H, n * H), H, Weights.HeadWeight.Span, H, 0f, logits, V);
            if (Weights.HeadBias is { } bias)
                for (int i = 0; i < n; i++) TensorPrimitives.Add(logits.AsSpan(i * V, V), bias.Span, logits.AsSpan(i * V, V));
        }
        return result;
    }
}
