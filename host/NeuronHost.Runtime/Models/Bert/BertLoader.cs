using NeuronHost.Runtime.Models.Ops;
using NeuronHost.Runtime.Models.Safetensors;

namespace NeuronHost.Runtime.Models.Bert;

/// <summary>BERT masked LM: learned positions and token types, post-LayerNorm, erf GELU,
/// MLM head cls.predictions.* whose decoder is tied to the word embeddings.</summary>
internal static class BertLoader
{
    public static TransformerConfig ReadConfig(ConfigReader c)
    {
        int hidden = c.Int("hidden_size"), heads = c.Int("num_attention_heads");
        if (heads == 0 || hidden % heads != 0) throw new ModelLoadException(c.Path, "num_attention_heads", $"hidden_size {hidden} is not divisible by {heads} heads");
        return new TransformerConfig
        {
            ModelType = "bert", Family = "bert",
            Layers = c.Int("num_hidden_layers"), Hidden = hidden, Heads = heads, KvHeads = heads, HeadDim = hidden / heads,
            Ffn = c.Int("intermediate_size"), Vocab = c.Int("vocab_size"), MaxPositions = c.Int("max_position_embeddings", 512),
            NormEps = (float)c.Positive("layer_norm_eps", 1e-12), Act = c.Activation("hidden_act", "gelu"),
            PreNorm = false, Causal = false, MaskedLm = true,
        };
    }

    public static TransformerWeights Load(Checkpoint ck, TransformerConfig cfg, int typeVocab)
    {
        int H = cfg.Hidden, F = cfg.Ffn, V = cfg.Vocab;
        // Older BERT checkpoints (converted from TensorFlow) name LayerNorm parameters gamma/beta.
        Norm LN(string p) => ck.Contains(p + ".weight") || !ck.Contains(p + ".gamma")
            ? new(ck.Get(p + ".weight", H), ck.Get(p + ".bias", H), cfg.NormEps, rms: false)
            : new(ck.Get(p + ".gamma", H), ck.Get(p + ".beta", H), cfg.NormEps, rms: false);
        Linear Dense(string p, int @in, int @out) => new(ck.Get(p + ".weight", @out, @in), ck.Get(p + ".bias", @out), @in, @out, storedInOut: false);
        var layers = new TransformerLayer[cfg.Layers];
        for (int i = 0; i < cfg.Layers; i++)
        {
            string p = $"encoder.layer.{i}";
            layers[i] = new TransformerLayer
            {
                Norm1 = LN(p + ".attention.output.LayerNorm"), Norm2 = LN(p + ".output.LayerNorm"),
                QkvParts = [Dense(p + ".attention.self.query", H, H), Dense(p + ".attention.self.key", H, H), Dense(p + ".attention.self.value", H, H)],
                QkvOffsets = [0, H, 2 * H],
                AttnOut = Dense(p + ".attention.output.dense", H, H),
                Up = Dense(p + ".intermediate.dense", H, F), Down = Dense(p + ".output.dense", F, H),
            };
        }
        var words = ck.Get("embeddings.word_embeddings.weight", V, H);
        return new TransformerWeights
        {
            TokenEmbedding = words,
            PositionEmbedding = ck.Get("embeddings.position_embeddings.weight", cfg.MaxPositions, H),
            TokenTypeEmbedding = ck.Get("embeddings.token_type_embeddings.weight", typeVocab, H),
            EmbeddingNorm = LN("embeddings.LayerNorm"),
            Layers = layers,
            HeadTransform = Dense("cls.predictions.transform.dense", H, H),
            HeadTransformNorm = LN("cls.predictions.transform.LayerNorm"),
            HeadWeight = ck.TryGet("cls.predictions.decoder.weight", V, H) ?? words,
            HeadBias = ck.TryGet("cls.predictions.bias", V) ?? ck.Get("cls.predictions.decoder.bias", V),
        };
    }
}
