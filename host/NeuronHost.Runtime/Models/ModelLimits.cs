namespace NeuronHost.Runtime.Models;

/// <summary>The largest sizes config.json may declare. They sit far above any released model of
/// the families we run, and low enough that a forged value (<c>n_layer: 2147483647</c>) is refused
/// before anything is allocated instead of exhausting memory. docs/limits.md lists them.</summary>
public static class ModelLimits
{
    public const int MaxLayers = 1024;
    public const int MaxHidden = 65_536;
    public const int MaxHeads = 1024;
    public const int MaxFfn = 1_048_576;
    public const int MaxVocab = 4_194_304;
    public const int MaxPositions = 1_048_576;
    public const int MaxTokenTypes = 1024;

    /// <summary>The inclusive range of each size key of the supported config.json files.</summary>
    internal static (int Min, int Max)? RangeOf(string key) => key switch
    {
        "n_layer" or "num_hidden_layers" => (1, MaxLayers),
        "n_embd" or "hidden_size" or "head_dim" => (1, MaxHidden),
        "n_head" or "num_attention_heads" or "num_key_value_heads" => (1, MaxHeads),
        "n_inner" or "intermediate_size" => (1, MaxFfn),
        "vocab_size" => (1, MaxVocab),
        "n_positions" or "n_ctx" or "max_position_embeddings" => (1, MaxPositions),
        "type_vocab_size" => (1, MaxTokenTypes),
        _ => null,
    };
}
