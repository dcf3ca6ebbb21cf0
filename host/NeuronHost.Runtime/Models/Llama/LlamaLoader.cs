using NeuronHost.Runtime.Models.Ops;
using NeuronHost.Runtime.Models.Safetensors;

namespace NeuronHost.Runtime.Models.Llama;

/// <summary>Llama and the llama-shaped mistral/qwen2: RMSNorm, RoPE (rotate-half, rope_theta),
/// grouped-query attention, SwiGLU, tied or untied head; qwen2 adds q/k/v biases.</summary>
internal static class LlamaLoader
{
    public static TransformerConfig ReadConfig(ConfigReader c, string modelType)
    {
        int hidden = c.Int("hidden_size"), heads = c.Int("num_attention_heads");
        int kvHeads = c.Int("num_key_value_heads", heads);
        if (heads == 0 || kvHeads == 0 || heads % kvHeads != 0)
            throw new ModelLoadException(c.Path, "num_key_value_heads", $"{heads} attention heads cannot share {kvHeads} key/value heads");
        int headDim = c.Int("head_dim", heads > 0 ? hidden / heads : 0);
        if (headDim == 0 || headDim % 2 != 0) throw new ModelLoadException(c.Path, "head_dim", $"head dimension {headDim} must be even and positive");
        if (c.Has("rope_scaling")) throw new ModelLoadException(c.Path, "rope_scaling", "RoPE scaling is not supported");
        return new TransformerConfig
        {
            ModelType = modelType, Family = "llama",
            Layers = c.Int("num_hidden_layers"), Hidden = hidden, Heads = heads, KvHeads = kvHeads, HeadDim = headDim,
            Ffn = c.Int("intermediate_size"), Vocab = c.Int("vocab_size"), MaxPositions = c.Int("max_position_embeddings", 2048),
            NormEps = (float)c.Positive("rms_norm_eps", 1e-6), Act = c.Activation("hidden_act", "silu"),
            Gated = true, Rope = true, RopeTheta = c.Positive("rope_theta", 10000),
        };
    }

    public static TransformerWeights Load(Checkpoint ck, TransformerConfig cfg, bool tied)
    {
        int H = cfg.Hidden, F = cfg.Ffn, V = cfg.Vocab, Q = cfg.QDim, KV = cfg.KvDim;
        Norm Rms(string p) => new(ck.Get(p + ".weight", H), null, cfg.NormEps, rms: true);
        Linear Proj(string p, int @in, int @out) => new(ck.Get(p + ".weight", @out, @in), ck.TryGet(p + ".bias", @out), @in, @out, storedInOut: false);
        var layers = new TransformerLayer[cfg.Layers];
        for (int i = 0; i < cfg.Layers; i++)
        {
            string p = $"layers.{i}";
            layers[i] = new TransformerLayer
            {
                Norm1 = Rms(p + ".input_layernorm"), Norm2 = Rms(p + ".post_attention_layernorm"),
                QkvParts = [Proj(p + ".self_attn.q_proj", H, Q), Proj(p + ".self_attn.k_proj", H, KV), Proj(p + ".self_attn.v_proj", H, KV)],
                QkvOffsets = [0, Q, Q + KV],
                AttnOut = Proj(p + ".self_attn.o_proj", Q, H),
                Gate = Proj(p + ".mlp.gate_proj", H, F), Up = Proj(p + ".mlp.up_proj", H, F), Down = Proj(p + ".mlp.down_proj", F, H),
            };
        }
        var embed = ck.Get("embed_tokens.weight", V, H);
        var head = ck.TryGet("lm_head.weight", V, H) ?? (tied ? embed : ck.Get("lm_head.weight", V, H));
        return new TransformerWeights { TokenEmbedding = embed, Layers = layers, FinalNorm = Rms("norm"), HeadWeight = head };
    }
}
