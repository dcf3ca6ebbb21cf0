using NeuronHost.Runtime.Models.Ops;
using NeuronHost.Runtime.Models.Safetensors;

namespace NeuronHost.Runtime.Models.Gpt2;

/// <summary>GPT-2: learned positions, pre-LayerNorm, fused c_attn, Conv1D weights stored
/// [in, out], gelu_new, LM head tied to wte unless lm_head.weight is present.</summary>
internal static class Gpt2Loader
{
    public static TransformerConfig ReadConfig(ConfigReader c)
    {
        int hidden = c.Int("n_embd"), heads = c.Int("n_head");
        if (heads == 0 || hidden % heads != 0) throw new ModelLoadException(c.Path, "n_head", $"n_embd {hidden} is not divisible by n_head {heads}");
        return new TransformerConfig
        {
            ModelType = "gpt2", Family = "gpt2",
            Layers = c.Int("n_layer"), Hidden = hidden, Heads = heads, KvHeads = heads, HeadDim = hidden / heads,
            Ffn = c.Int("n_inner", 4 * hidden), Vocab = c.Int("vocab_size"), MaxPositions = c.Int("n_positions", c.Int("n_ctx", 1024)),
            NormEps = (float)c.Positive("layer_norm_epsilon", 1e-5), Act = c.Activation("activation_function", "gelu_new"),
        };
    }

    public static TransformerWeights Load(Checkpoint ck, TransformerConfig cfg)
    {
        int H = cfg.Hidden, F = cfg.Ffn, V = cfg.Vocab;
        Norm LN(string p) => new(ck.Get(p + ".weight", H), ck.Get(p + ".bias", H), cfg.NormEps, rms: false);
        Linear Conv(string p, int @in, int @out) => new(ck.Get(p + ".weight", @in, @out), ck.Get(p + ".bias", @out), @in, @out, storedInOut: true);
        var layers = new TransformerLayer[cfg.Layers];
        for (int i = 0; i < cfg.Layers; i++)
        {
            string p = $"h.{i}";
            layers[i] = new TransformerLayer
            {
                Norm1 = LN(p + ".ln_1"), Norm2 = LN(p + ".ln_2"),
                QkvParts = [Conv(p + ".attn.c_attn", H, 3 * H)], QkvOffsets = [0],
                AttnOut = Conv(p + ".attn.c_proj", H, H),
                Up = Conv(p + ".mlp.c_fc", H, F), Down = Conv(p + ".mlp.c_proj", F, H),
            };
        }
        var wte = ck.Get("wte.weight", V, H);
        return new TransformerWeights
        {
            TokenEmbedding = wte,
            PositionEmbedding = ck.Get("wpe.weight", cfg.MaxPositions, H),
            Layers = layers,
            FinalNorm = LN("ln_f"),
            HeadWeight = ck.TryGet("lm_head.weight", V, H) ?? wte,
        };
    }
}
