using NeuronHost.Runtime.Models.Ops;
using NeuronHost.Runtime.Models.Safetensors;

namespace NeuronHost.Runtime.Models;

/// <summary>One block. q/k/v come from one fused projection (GPT-2) or three (BERT, Llama),
/// each writing its columns of the [tokens, qDim + 2·kvDim] qkv matrix.</summary>
public sealed class TransformerLayer
{
    public required Norm Norm1 { get; init; }
    public required Norm Norm2 { get; init; }
    public required Linear[] QkvParts { get; init; }
    public required int[] QkvOffsets { get; init; }
    public required Linear AttnOut { get; init; }
    /// <summary>SwiGLU gate (hook_pre); null for a plain FFN.</summary>
    public Linear? Gate { get; init; }
    /// <summary>The FFN input projection: c_fc / intermediate.dense / up_proj.</summary>
    public required Linear Up { get; init; }
    public required Linear Down { get; init; }
}

/// <summary>All weights of a model, family-neutral. <see cref="HeadWeight"/> is [vocab, hidden]
/// (tied to the token embedding or a separate lm_head / decoder).</summary>
public sealed class TransformerWeights
{
    public required Weight TokenEmbedding { get; init; }
    public Weight? PositionEmbedding { get; init; }
    public Weight? TokenTypeEmbedding { get; init; }
    public Norm? EmbeddingNorm { get; init; }
    public required TransformerLayer[] Layers { get; init; }
    public Norm? FinalNorm { get; init; }
    /// <summary>BERT's MLM transform: dense → act → LayerNorm before the decoder.</summary>
    public Linear? HeadTransform { get; init; }
    public Norm? HeadTransformNorm { get; init; }
    public required Weight HeadWeight { get; init; }
    public Weight? HeadBias { get; init; }
}
