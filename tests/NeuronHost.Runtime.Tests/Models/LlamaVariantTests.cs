using System.Runtime.InteropServices;
using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>The llama-shaped variants, checked through identities that hold exactly: an untied
/// head equal to the embedding, and qwen2's value bias (softmax weights sum to one, so a value
/// bias adds itself to every z row). A key bias is rotated by RoPE, so it must change the output.</summary>
public sealed class LlamaVariantTests
{
    private static readonly int[] Ids = [1, 294, 436, 413, 394, 33, 70];

    private static float[] LastLogits(string dir, IReadOnlyList<HookEdit>? edits = null)
    {
        using var s = ModelLoader.Load(dir);
        return s.Forward(new ForwardRequest([Ids]) { Edits = edits ?? [] }).Logits[0].Data;
    }

    [SharedFact]
    public void UntiedHeadAndMistralTypeLoad()
    {
        var expected = LastLogits(SharedAssets.Model("tiny-llama"));
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-llama"));
        c.Config["model_type"] = "mistral";
        c.Config["tie_word_embeddings"] = false;
        c.Write();
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Load(c.Directory));
        Assert.Contains("lm_head.weight", e.Message);

        var embed = c.Tensors.Single(t => t.Name == "model.embed_tokens.weight");
        c.Tensors.Add(embed with { Name = "lm_head.weight" });
        c.Write();
        Assert.Equal(expected, LastLogits(c.Directory));
    }

    [SharedFact]
    public void Qwen2KeyAndValueBiasesActAsTheyMust()
    {
        float[] withKeyBias;
        using (var k = new CraftedCheckpoint(SharedAssets.Model("tiny-llama")))
        {
            k.Config["model_type"] = "qwen2";
            for (int l = 0; l < 5; l++)
                k.Tensors.Add(new CraftedCheckpoint.Tensor($"model.layers.{l}.self_attn.k_proj.bias", "F32", [32],
                    MemoryMarshal.AsBytes(Enumerable.Repeat(0.3f, 32).ToArray().AsSpan()).ToArray()));
            k.Write();
            withKeyBias = LastLogits(k.Directory);
        }
        Assert.True(ReferenceTests.MaxAbs(withKeyBias, LastLogits(SharedAssets.Model("tiny-llama"))) > 1e-3);

        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-llama"));
        c.Config["model_type"] = "qwen2";
        var rng = new Random(5);
        int layers = 5, kvDim = 32, heads = 8, kvHeads = 4, headDim = 8;
        var valueBias = new float[layers][];
        for (int l = 0; l < layers; l++)
        {
            float[] Random_(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            byte[] Bytes(float[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
            valueBias[l] = Random_(kvDim);
            c.Tensors.Add(new CraftedCheckpoint.Tensor($"model.layers.{l}.self_attn.q_proj.bias", "F32", [64], Bytes(new float[64])));
            c.Tensors.Add(new CraftedCheckpoint.Tensor($"model.layers.{l}.self_attn.k_proj.bias", "F32", [kvDim], Bytes(new float[kvDim])));
            c.Tensors.Add(new CraftedCheckpoint.Tensor($"model.layers.{l}.self_attn.v_proj.bias", "F32", [kvDim], Bytes(valueBias[l])));
        }
        c.Write();
        // z of query head h reads kv head h / (heads / kvHeads): the value bias lands there.
        var edits = Enumerable.Range(0, layers).Select(l =>
        {
            var neurons = Enumerable.Range(0, heads * headDim).ToArray();
            var values = neurons.Select(n => valueBias[l][(n / headDim) / (heads / kvHeads) * headDim + n % headDim]).ToArray();
            return new HookEdit(HookPoints.AttnZ(l), new NeuronEdit(EditOp.Add, neurons, values));
        }).ToList();
        var expected = LastLogits(SharedAssets.Model("tiny-llama"), edits);
        var actual = LastLogits(c.Directory);
        Assert.True(ReferenceTests.MaxAbs(actual, expected) < 1e-4, $"differ by {ReferenceTests.MaxAbs(actual, expected)}");
        Assert.True(ReferenceTests.MaxAbs(actual, LastLogits(SharedAssets.Model("tiny-llama"))) > 1e-2); // the biases matter
    }
}
