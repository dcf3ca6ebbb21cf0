namespace NeuronHost.Runtime.Models;

/// <summary>The working buffers of one forward over up to <see cref="Tokens"/> packed tokens
/// (each at least as long as the forward needs; ops index them by the token count, never by
/// their length).</summary>
internal sealed class ForwardScratch
{
    public int Tokens { get; }
    public float[] X { get; }
    public float[] H { get; }
    public float[] Qkv { get; }
    public float[] Z { get; }
    public float[] Branch { get; }
    public float[] Pre { get; }
    public float[]? Up { get; }
    public float[] Post { get; }

    private ForwardScratch(TransformerConfig c, int tokens)
    {
        Tokens = tokens;
        X = new float[tokens * c.Hidden]; H = new float[tokens * c.Hidden]; Branch = new float[tokens * c.Hidden];
        Qkv = new float[tokens * c.QkvWidth]; Z = new float[tokens * c.QDim];
        Pre = new float[tokens * c.Ffn]; Up = c.Gated ? new float[tokens * c.Ffn] : null; Post = new float[tokens * c.Ffn];
    }

    /// <summary>A set from the pool large enough for <paramref name="tokens"/>, or a new one (a
    /// smaller set taken from the pool is dropped: the pool keeps the largest batches' buffers).</summary>
    public static ForwardScratch Take(System.Collections.Concurrent.ConcurrentBag<ForwardScratch> pool, TransformerConfig c, int tokens)
    {
        while (pool.TryTake(out var s))
            if (s.Tokens >= tokens) return s;
        return new ForwardScratch(c, tokens);
    }
}
