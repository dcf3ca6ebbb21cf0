namespace NeuronHost.Runtime.Models;

public enum Activation { GeluNew, GeluErf, Silu, Relu }

/// <summary>The shape and flavour of one transformer, read from config.json by the family
/// loaders. GPT-2, BERT and Llama differ only in these switches and their weight names.</summary>
public sealed record TransformerConfig
{
    public required string ModelType { get; init; }
    /// <summary>"gpt2", "bert" or "llama" (mistral and qwen2 are llama-shaped).</summary>
    public required string Family { get; init; }
    public required int Layers { get; init; }
    public required int Hidden { get; init; }
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int Ffn { get; init; }
    public required int Vocab { get; init; }
    public required int MaxPositions { get; init; }
    public required float NormEps { get; init; }
    public required Activation Act { get; init; }
    /// <summary>SwiGLU-style FFN: act(gate(x)) · up(x).</summary>
    public bool Gated { get; init; }
    /// <summary>Pre-LN (GPT-2, Llama) or post-LN (BERT).</summary>
    public bool PreNorm { get; init; } = true;
    public bool Causal { get; init; } = true;
    public bool Rope { get; init; }
    public double RopeTheta { get; init; } = 10000;
    public bool MaskedLm { get; init; }

    public int QDim => Heads * HeadDim;
    public int KvDim => KvHeads * HeadDim;
    public int QkvWidth => QDim + 2 * KvDim;
}
