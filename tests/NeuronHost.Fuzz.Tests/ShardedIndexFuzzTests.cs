using System.Text;
using System.Text.Json.Nodes;
using NeuronHost.Fuzz.Tests.Support;
using NeuronHost.Runtime.Models;
using NeuronHost.Tests.Common;

namespace NeuronHost.Fuzz.Tests;

/// <summary>tiny-llama split into two shards with a model.safetensors.index.json, as large Hugging
/// Face checkpoints ship; the index and the shards forged and damaged.</summary>
public sealed class ShardedIndexFuzzTests
{
    private const string IndexName = "model.safetensors.index.json";

    /// <summary>Writes the checkpoint as two shards + index into a copy of tiny-llama's folder.</summary>
    private static string Sharded(Scratch scratch, bool duplicateOneTensor = false)
    {
        string dir = scratch.CopyFolder(SharedAssets.Model("tiny-llama"));
        string single = Path.Combine(dir, "model.safetensors");
        var forge = new SafetensorsForge(single);
        File.Delete(single);
        var names = forge.TensorsByOffset();
        var halves = new[] { names.Take(names.Count / 2).ToList(), names.Skip(names.Count / 2).ToList() };
        if (duplicateOneTensor) halves[1].Add(halves[0][0]);
        var map = new JsonObject();
        for (int s = 0; s < 2; s++)
        {
            string shard = $"model-0000{s + 1}-of-00002.safetensors";
            var header = new JsonObject();
            var data = new List<byte>();
            foreach (var name in halves[s])
            {
                var entry = forge.Header[name]!.DeepClone();
                long begin = (long)entry["data_offsets"]![0]!, end = (long)entry["data_offsets"]![1]!;
                entry["data_offsets"] = new JsonArray(data.Count, data.Count + (end - begin));
                data.AddRange(forge.Data.AsSpan((int)begin, (int)(end - begin)).ToArray());
                header[name] = entry;
                map[name] = shard;
            }
            File.WriteAllBytes(Path.Combine(dir, shard), SafetensorsForge.Assemble(header.ToJsonString(), data.ToArray()));
        }
        File.WriteAllText(Path.Combine(dir, IndexName), new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = map }.ToJsonString());
        return dir;
    }

    private static void EditIndex(string dir, Action<JsonObject> edit)
    {
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, IndexName)))!.AsObject();
        edit(index);
        File.WriteAllText(Path.Combine(dir, IndexName), index.ToJsonString());
    }

    [SharedFact]
    public void The_sharded_checkpoint_loads_like_the_single_file()
    {
        using var scratch = new Scratch();
        string dir = Sharded(scratch);
        using var sharded = ModelLoader.Load(dir);
        using var single = ModelLoader.Load(SharedAssets.Model("tiny-llama"));
        var ids = new[] { 1, 40, 300 };
        Assert.Equal(single.Forward(new NeuronHost.Sdk.ForwardRequest([ids])).Logits[0].Data, sharded.Forward(new NeuronHost.Sdk.ForwardRequest([ids])).Logits[0].Data);
    }

    private static readonly Dictionary<string, (Action<string> Forge, string Mentioning)> Forgeries = new()
    {
        ["shard named ../x"] = (d => EditIndex(d, i => i["weight_map"]!["lm_head.weight"] = "../model-00001-of-00002.safetensors"), "invalid shard"),
        ["shard named by absolute path"] = (d => EditIndex(d, i => i["weight_map"]!["lm_head.weight"] = "/etc/passwd"), "invalid shard"),
        ["weight_map an array"] = (d => EditIndex(d, i => i["weight_map"] = new JsonArray()), "weight_map"),
        ["weight_map value a number"] = (d => EditIndex(d, i => i["weight_map"]![((JsonObject)i["weight_map"]!).First().Key] = 3), "weight_map"),
        ["weight_map missing"] = (d => EditIndex(d, i => i.Remove("weight_map")), "weight_map"),
        ["index not JSON"] = (d => File.WriteAllText(Path.Combine(d, IndexName), "{\"weight_map\": {"), IndexName),
        ["index deeply nested"] = (d => File.WriteAllText(Path.Combine(d, IndexName), new string('[', 100_000)), IndexName),
        ["index invalid UTF-8"] = (d => File.WriteAllBytes(Path.Combine(d, IndexName), [.. "{\"weight_map\": {\"a"u8, 0xFF, .. "\": \"x.safetensors\"}}"u8]), IndexName),
        ["shard missing"] = (d => File.Delete(Path.Combine(d, "model-00002-of-00002.safetensors")), "model-00002-of-00002.safetensors"),
        ["shard truncated"] = (d => { var f = Path.Combine(d, "model-00001-of-00002.safetensors"); File.WriteAllBytes(f, File.ReadAllBytes(f)[..^8]); }, "model-00001-of-00002.safetensors"),
    };

    public static TheoryData<string> Names() => new(Forgeries.Keys);

    [SharedTheory]
    [MemberData(nameof(Names))]
    public void Forged_index_or_shard_is_refused_naming_the_file(string name)
    {
        using var scratch = new Scratch();
        string dir = Sharded(scratch);
        var (forge, mentioning) = Forgeries[name];
        forge(dir);
        Outcome.MustFail(() => ModelLoader.Load(dir).Dispose(), dir, mentioning);
    }

    [SharedFact]
    public void A_tensor_stored_in_two_shards_is_refused()
    {
        using var scratch = new Scratch();
        string dir = Sharded(scratch, duplicateOneTensor: true);
        Outcome.MustFail(() => ModelLoader.Load(dir).Dispose(), dir, "also stored in");
    }

    public static TheoryData<int> Seeds(int count) => new(Enumerable.Range(0, count));

    [SharedTheory]
    [MemberData(nameof(Seeds), 20)]
    public void Randomly_damaged_index_fails_cleanly_or_loads(int seed)
    {
        var rng = new Random(9000 + seed);
        using var scratch = new Scratch();
        string dir = Sharded(scratch);
        string file = Path.Combine(dir, IndexName);
        string text = File.ReadAllText(file, Encoding.UTF8);
        for (int i = 0, n = rng.Next(1, 3); i < n; i++) text = Mutate.Text(text, rng);
        File.WriteAllText(file, text);
        Outcome.CleanErrorOrSuccess(() => ModelLoader.Load(dir).Dispose(), dir);
    }
}
