namespace NeuronHost.Runtime.Models;

/// <summary>What the forward pass of one sequence keeps for the backward pass.</summary>
internal sealed class ForwardTrace(TransformerConfig c, int tokens)
{
    public sealed class LayerCache(TransformerConfig c, int T)
    {
        public readonly float[] Xhat1 = new float[T * c.Hidden], Rstd1 = new float[T];
        public readonly float[] Xhat2 = new float[T * c.Hidden], Rstd2 = new float[T];
        public readonly float[] Qkv = new float[T * c.QkvWidth];
        public readonly float[] Probs = new float[c.Heads * T * T];
        public readonly float[] Pre = new float[T * c.Ffn];
        public readonly float[]? Up = c.Gated ? new float[T * c.Ffn] : null;
    }

    public int Tokens { get; } = tokens;
    public LayerCache[] Layers { get; } = Enumerable.Range(0, c.Layers).Select(_ => new LayerCache(c, tokens)).ToArray();
    // The head, for the single logit row.
    public readonly float[] FinalXhat = new float[c.Hidden], FinalRstd = new float[1];
    public readonly float[] HeadPre = new float[c.Hidden];
    public readonly float[] HeadXhat = new float[c.Hidden], HeadRstd = new float[1];
}
