using System.Text;
using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Models.Safetensors;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>Sharded, prefixed and half-precision checkpoints load; every kind of broken
/// checkpoint gives one ModelLoadException naming the file and the tensor or key.</summary>
public sealed class CheckpointLoadingTests
{
    private static readonly int[] BertIds = [2, 119, 1278, 109, 122, 119, 4, 140, 3];
    private static readonly int[] LlamaIds = [1, 294, 436, 413, 394];

    private static float[] Logits(string dir, int[] ids)
    {
        using var s = ModelLoader.Load(dir);
        return s.Forward(new ForwardRequest([ids])).Logits[0].Data;
    }

    [SharedFact]
    public void ShardedCheckpointGivesTheSameLogits()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-bert"));
        c.Write(shards: 3);
        Assert.False(File.Exists(Path.Combine(c.Directory, "model.safetensors")));
        Assert.Equal(Logits(SharedAssets.Model("tiny-bert"), BertIds), Logits(c.Directory, BertIds));
    }

    [SharedFact]
    public void ShardNamedByTheIndexButAbsentNamesTheShard()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-bert"));
        string first = c.Write(shards: 2);
        File.Delete(first);
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Load(c.Directory).Dispose());
        Assert.Contains(first, e.Message);
        Assert.Contains("not found", e.Message);
    }

    [SharedFact]
    public void BertLayerNormGammaBetaNamesLoad()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-bert"));
        for (int i = 0; i < c.Tensors.Count; i++)
            c.Tensors[i] = c.Tensors[i] with { Name = c.Tensors[i].Name.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta") };
        c.Write();
        Assert.Equal(Logits(SharedAssets.Model("tiny-bert"), BertIds), Logits(c.Directory, BertIds));
    }

    [SharedFact]
    public void NamesWithAndWithoutPrefixesLoad()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-llama"));
        for (int i = 0; i < c.Tensors.Count; i++)
            c.Tensors[i] = c.Tensors[i] with { Name = c.Tensors[i].Name.Replace("model.", "") };
        c.Write();
        Assert.Equal(Logits(SharedAssets.Model("tiny-llama"), LlamaIds), Logits(c.Directory, LlamaIds));

        using var g = new CraftedCheckpoint(SharedAssets.Model("gpt2-mini-brown"));
        for (int i = 0; i < g.Tensors.Count; i++) g.Tensors[i] = g.Tensors[i] with { Name = "transformer." + g.Tensors[i].Name };
        g.Write();
        Assert.Equal(Logits(SharedAssets.Model("gpt2-mini-brown"), [448, 6899]), Logits(g.Directory, [448, 6899]));
    }

    [SharedTheory]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void HalfPrecisionTensorsAreConverted(string dtype)
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-llama"));
        var original = c.Tensors.ToDictionary(t => t.Name, t => CraftedCheckpoint.AsFloats(t.Data));
        for (int i = 0; i < c.Tensors.Count; i++)
        {
            var f = original[c.Tensors[i].Name];
            var bytes = new byte[f.Length * 2];
            for (int j = 0; j < f.Length; j++)
            {
                ushort bits = dtype == "F16"
                    ? BitConverter.HalfToUInt16Bits((Half)f[j])
                    : (ushort)(BitConverter.SingleToUInt32Bits(f[j]) >> 16); // truncation: exact to compare
                BitConverter.TryWriteBytes(bytes.AsSpan(j * 2), bits);
            }
            c.Tensors[i] = c.Tensors[i] with { DType = dtype, Data = bytes };
        }
        string file = c.Write();
        using (var st = new SafetensorsFile(file))
        {
            var entry = st.Entries["model.layers.0.mlp.up_proj.weight"];
            var w = st.Read(entry).Span.ToArray();
            var f = original[entry.Name];
            for (int j = 0; j < f.Length; j++)
            {
                float expected = dtype == "F16" ? (float)(Half)f[j] : BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(f[j]) & 0xFFFF0000);
                Assert.Equal(expected, w[j]);
            }
        }
        var full = Logits(SharedAssets.Model("tiny-llama"), LlamaIds);
        var half = Logits(c.Directory, LlamaIds);
        double err = ReferenceTests.MaxAbs(half, full);
        // a whole model of rounded weights drifts a little; the exact conversion is checked above
        Assert.True(err < (dtype == "F16" ? 0.2 : 1.0), $"{dtype} logits differ by {err}");
    }

    private static ModelLoadException LoadFails(string dir) => Assert.Throws<ModelLoadException>(() => ModelLoader.Load(dir).Dispose());

    [SharedFact]
    public void TruncatedFileNamesFileAndTensor()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-bert"));
        string file = c.Write();
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length - 5000)]);
        var e = LoadFails(c.Directory);
        Assert.Contains(file, e.Message);
        Assert.Contains("cls.predictions.transform.dense.weight", e.Message);
        Assert.Contains("outside the file", e.Message);

        File.WriteAllBytes(file, bytes[..100]);
        e = LoadFails(c.Directory);
        Assert.Contains(file, e.Message);
        Assert.Contains("truncated", e.Message);

        File.WriteAllBytes(file, bytes[..3]);
        Assert.Contains("truncated", LoadFails(c.Directory).Message);
    }

    [SharedFact]
    public void HeaderThatIsNotJsonNamesFile()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-bert"));
        string file = c.Write();
        var bytes = File.ReadAllBytes(file);
        Encoding.ASCII.GetBytes("{\"bert.embeddings: nonsense").CopyTo(bytes, 8);
        File.WriteAllBytes(file, bytes);
        var e = LoadFails(c.Directory);
        Assert.Contains(file, e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [SharedFact]
    public void OffsetsOutsideTheFileNameTensor()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-bert"));
        string file = c.Write();
        var bytes = File.ReadAllBytes(file);
        long n = BitConverter.ToInt64(bytes, 0);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        // The last tensor's end offset is the data length; claim one far beyond it, same width.
        int key = header.IndexOf("\"cls.predictions.transform.dense.weight\"", StringComparison.Ordinal);
        int at = header.IndexOf("\"data_offsets\":[", key, StringComparison.Ordinal) + 16;
        int end = header.IndexOf(']', at);
        var parts = header[at..end].Split(',');
        string replaced = parts[0] + "," + new string('9', parts[1].Length);
        header = header[..at] + replaced + header[end..];
        Encoding.UTF8.GetBytes(header).CopyTo(bytes, 8);
        File.WriteAllBytes(file, bytes);
        var e = LoadFails(c.Directory);
        Assert.Contains(file, e.Message);
        Assert.Contains("cls.predictions.transform.dense.weight", e.Message);
        Assert.Contains("outside the file", e.Message);
    }

    [SharedFact]
    public void MissingTensorNamesTheKey()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-bert"));
        c.Tensors.RemoveAll(t => t.Name == "bert.encoder.layer.1.output.dense.weight");
        string file = c.Write();
        var e = LoadFails(c.Directory);
        Assert.Contains(file, e.Message);
        Assert.Contains("encoder.layer.1.output.dense.weight", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [SharedFact]
    public void ShapeNotMatchingConfigNamesTensor()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-bert"));
        c.Config["intermediate_size"] = 128;
        string file = c.Write();
        var e = LoadFails(c.Directory);
        Assert.Contains(file, e.Message);
        Assert.Contains("bert.encoder.layer.0.intermediate.dense.weight", e.Message);
        Assert.Contains("[256, 64]", e.Message);
        Assert.Contains("[128, 64]", e.Message);
    }

    [SharedFact]
    public void UnsupportedDtypeNamesTensor()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-bert"));
        int i = c.Tensors.FindIndex(t => t.Name == "bert.encoder.layer.0.attention.self.key.weight");
        c.Tensors[i] = c.Tensors[i] with { DType = "I32" };
        string file = c.Write();
        var e = LoadFails(c.Directory);
        Assert.Contains(file, e.Message);
        Assert.Contains("bert.encoder.layer.0.attention.self.key.weight", e.Message);
        Assert.Contains("unsupported dtype I32", e.Message);
    }

    [SharedFact]
    public void UnsupportedModelTypeAndBadConfigNameTheKey()
    {
        using var c = new CraftedCheckpoint(SharedAssets.Model("tiny-bert"));
        c.Config["model_type"] = "t5";
        c.Write();
        var e = LoadFails(c.Directory);
        Assert.Contains("config.json", e.Message);
        Assert.Contains("'model_type'", e.Message);
        Assert.Contains("t5", e.Message);

        c.Config["model_type"] = "bert";
        c.Config.Remove("hidden_size");
        c.Write();
        e = LoadFails(c.Directory);
        Assert.Contains("'hidden_size'", e.Message);

        File.WriteAllText(Path.Combine(c.Directory, "config.json"), "{ not json");
        Assert.Contains("not valid JSON", LoadFails(c.Directory).Message);

        File.Delete(Path.Combine(c.Directory, "model.safetensors"));
        c.Config["hidden_size"] = 64;
        c.Write(shards: 1);
        File.Delete(Path.Combine(c.Directory, "model.safetensors"));
        Assert.Contains("no model.safetensors", LoadFails(c.Directory).Message);
    }

    [SharedFact]
    public void Float32WeightsAreMappedNotCopied()
    {
        using var st = new SafetensorsFile(Path.Combine(SharedAssets.Model("gpt2-mini-brown"), "model.safetensors"));
        var w = st.Read(st.Entries["wte.weight"]);
        Assert.True(w.IsMapped);
        Assert.Equal([8192, 256], w.Shape);
    }
}
