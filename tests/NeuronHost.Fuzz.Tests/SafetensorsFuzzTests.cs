using System.Text;
using System.Text.Json.Nodes;
using NeuronHost.Fuzz.Tests.Support;
using NeuronHost.Runtime.Models;
using NeuronHost.Tests.Common;

namespace NeuronHost.Fuzz.Tests;

/// <summary>Forged and mutated copies of the real checkpoints in ../shared. The named cases are
/// the ones issue 15 found loading with exit 0; each must now be refused by the format's rules.</summary>
public sealed class SafetensorsFuzzTests
{
    private const string Gpt2 = "gpt2-mini-brown";

    public static TheoryData<string> ForgedHeaders() => new(Forgeries.Keys);

    /// <summary>Each forgery and the words its error must contain.</summary>
    private static readonly Dictionary<string, (Func<SafetensorsForge, byte[]> Forge, string Mentioning)> Forgeries = new()
    {
        ["aliased tensors"] = (f => { f.Header["h.0.ln_1.bias"]!["data_offsets"] = f.Header["h.0.ln_1.weight"]!["data_offsets"]!.DeepClone(); return f.Build(); }, "h.0.ln_1"),
        ["overlapping tensors"] = (f => { Shift(f, "h.0.ln_1.bias", -512); return f.Build(); }, "overlap"),
        ["hole between tensors"] = (f => { f.Header.Remove("h.0.ln_1.bias"); return f.Build(); }, "hole"),
        ["trailing bytes"] = (f => { f.Data = [.. f.Data, 1, 2, 3, 4]; return f.Build(); }, "trailing"),
        ["header length one too long"] = (f => f.Build(+1), "model.safetensors"),
        ["header length one too short"] = (f => f.Build(-1), "model.safetensors"),
        ["header length 2^40"] = (f => f.Build(1L << 40), "limit"),
        ["misaligned F32 data"] = (f =>
        {
            foreach (var name in f.TensorsByOffset()) Shift(f, name, 2);
            f.Header["pad"] = new JsonObject { ["dtype"] = "U8", ["shape"] = new JsonArray(2), ["data_offsets"] = new JsonArray(0, 2) };
            f.Data = [0, 0, .. f.Data];
            return f.Build();
        }, "aligned"),
        ["shape x dtype wraps to 0 bytes"] = (f =>
        {
            long end = f.Data.Length;
            f.Header["wrap"] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(4611686018427387904L, 4), ["data_offsets"] = new JsonArray(end, end) };
            return f.Build();
        }, "overflow"),
        ["duplicate tensor name"] = (f =>
        {
            string json = f.Header.ToJsonString();
            string entry = "\"h.0.ln_1.weight\":" + f.Header["h.0.ln_1.weight"]!.ToJsonString();
            return SafetensorsForge.Assemble(json[..^1] + "," + entry + "}", f.Data);
        }, "twice"),
        ["metadata twice"] = (f => SafetensorsForge.Assemble(f.Header.ToJsonString()[..^1] + ",\"__metadata__\":{},\"__metadata__\":{}}", f.Data), "__metadata__"),
        ["invalid UTF-8 tensor name"] = (f =>
        {
            var header = Encoding.UTF8.GetBytes(f.Header.ToJsonString());
            int at = Encoding.UTF8.GetBytes(f.Header.ToJsonString()).AsSpan().IndexOf("wte.weight"u8);
            header[at] = 0xFF;
            return SafetensorsForge.AssembleRaw([.. header, .. Enumerable.Repeat((byte)' ', (8 - header.Length % 8) % 8)], f.Data);
        }, "UTF-8"),
        ["header is a JSON array"] = (f => SafetensorsForge.Assemble("[" + f.Header.ToJsonString() + "]", f.Data), "model.safetensors"),
        ["header is not JSON"] = (f => SafetensorsForge.Assemble("{\"wte.weight\": {dtype: F32}}", f.Data), "JSON"),
        ["header deeply nested"] = (f => SafetensorsForge.Assemble("{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}", f.Data), "JSON"),
        ["empty header"] = (f => SafetensorsForge.AssembleRaw([], f.Data), "model.safetensors"),
        ["unknown dtype"] = (f => { f.Header["wte.weight"]!["dtype"] = "Q4_K"; return f.Build(); }, "dtype"),
        ["dtype not a string"] = (f => { f.Header["wte.weight"]!["dtype"] = 4; return f.Build(); }, "wte.weight"),
        ["negative dimension"] = (f => { f.Header["ln_f.bias"]!["shape"] = new JsonArray(-256); return f.Build(); }, "ln_f.bias"),
        ["fractional dimension"] = (f => { f.Header["ln_f.bias"]!["shape"] = new JsonArray(255.5); return f.Build(); }, "ln_f.bias"),
        ["offsets reversed"] = (f => { var o = f.Header["ln_f.bias"]!["data_offsets"]!.AsArray(); f.Header["ln_f.bias"]!["data_offsets"] = new JsonArray((long)o[1]!, (long)o[0]!); return f.Build(); }, "ln_f.bias"),
        ["offsets beyond the file"] = (f => { Shift(f, f.TensorsByOffset()[^1], 1L << 40); return f.Build(); }, "model.safetensors"),
        ["three offsets"] = (f => { f.Header["ln_f.bias"]!["data_offsets"]!.AsArray().Add(7); return f.Build(); }, "ln_f.bias"),
        ["entry is a string"] = (f => { f.Header["ln_f.bias"] = "F32"; return f.Build(); }, "ln_f.bias"),
        ["shape does not match config.json"] = (f => { f.Header["ln_f.bias"]!["shape"] = new JsonArray(16, 16); return f.Build(); }, "config.json"),
        ["truncated to the header"] = (f => f.Original[..(8 + f.HeaderLength)], "model.safetensors"),
        ["three bytes"] = (f => [1, 2, 3], "truncated"),
    };

    private static void Shift(SafetensorsForge f, string name, long by)
    {
        var o = f.Header[name]!["data_offsets"]!.AsArray();
        f.Header[name]!["data_offsets"] = new JsonArray((long)o[0]! + by, (long)o[1]! + by);
    }

    [SharedTheory]
    [MemberData(nameof(ForgedHeaders))]
    public void Forged_header_is_refused_naming_the_file_and_rule(string name)
    {
        using var scratch = new Scratch();
        string dir = scratch.CopyFolder(SharedAssets.Model(Gpt2));
        string file = Path.Combine(dir, "model.safetensors");
        var (forge, mentioning) = Forgeries[name];
        File.WriteAllBytes(file, forge(new SafetensorsForge(file)));
        Outcome.MustFail(() => ModelLoader.Load(dir).Dispose(), file, mentioning);
    }

    [SharedFact]
    public void A_rewritten_but_valid_header_loads_the_same_weights()
    {
        using var scratch = new Scratch();
        string dir = scratch.CopyFolder(SharedAssets.Model(Gpt2));
        string file = Path.Combine(dir, "model.safetensors");
        var forge = new SafetensorsForge(file);
        // Reversed key order, metadata, different padding: still a valid file holding the same weights.
        var reordered = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        foreach (var (k, v) in forge.Header.Reverse().ToList()) reordered[k] = v!.DeepClone();
        File.WriteAllBytes(file, SafetensorsForge.Assemble(reordered.ToJsonString() + "   ", forge.Data, pad: false));
        using var original = ModelLoader.Load(SharedAssets.Model(Gpt2));
        using var copy = ModelLoader.Load(dir);
        var ids = new[] { 10, 200, 3000 };
        var a = original.Forward(new NeuronHost.Sdk.ForwardRequest([ids])).Logits[0];
        var b = copy.Forward(new NeuronHost.Sdk.ForwardRequest([ids])).Logits[0];
        Assert.Equal(a.Data, b.Data);
        Assert.Empty(copy.LoadWarnings);
    }

    [SharedFact]
    public void Layers_beyond_n_layer_are_named_as_a_warning_and_refused_when_strict()
    {
        using var scratch = new Scratch();
        string dir = scratch.CopyFolder(SharedAssets.Model(Gpt2));
        string file = Path.Combine(dir, "model.safetensors");
        var forge = new SafetensorsForge(file);
        long end = forge.Data.Length;
        forge.Header["h.4.ln_1.weight"] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(256), ["data_offsets"] = new JsonArray(end, end + 1024) };
        forge.Data = [.. forge.Data, .. new byte[1024]];
        File.WriteAllBytes(file, forge.Build());
        using (var session = ModelLoader.Load(dir))
        {
            var warning = Assert.Single(session.LoadWarnings);
            Assert.Contains("h.4.ln_1.weight", warning, StringComparison.Ordinal);
            Assert.Contains("beyond n_layer = 4", warning, StringComparison.Ordinal);
        }
        Outcome.MustFail(() => ModelLoader.Load(dir, strict: true).Dispose(), file, "h.4.ln_1.weight");
    }

    [SharedFact]
    public void The_shared_checkpoints_load_without_warnings()
    {
        foreach (var model in new[] { Gpt2, "tiny-llama", "tiny-bert" })
        {
            using var session = ModelLoader.Load(SharedAssets.Model(model));
            Assert.Empty(session.LoadWarnings);
        }
    }

    public static TheoryData<int> Seeds(int count) => new(Enumerable.Range(0, count));

    /// <summary>Random damage to the header region and the length prefix of tiny-bert and tiny-llama.</summary>
    [SharedTheory]
    [MemberData(nameof(Seeds), 120)]
    public void Randomly_damaged_checkpoint_fails_cleanly_or_loads(int seed)
    {
        var rng = new Random(seed);
        string model = seed % 2 == 0 ? "tiny-bert" : "tiny-llama";
        using var scratch = new Scratch();
        string dir = scratch.CopyFolder(SharedAssets.Model(model));
        string file = Path.Combine(dir, "model.safetensors");
        var forge = new SafetensorsForge(file);
        var bytes = forge.Original;
        int headerEnd = 8 + forge.HeaderLength;
        bytes = (seed / 2 % 5) switch
        {
            0 => Mutate.FlipBytes(bytes, rng, 8, headerEnd, rng.Next(1, 4)),
            1 => Mutate.InsertBytes(bytes, rng, 8, headerEnd),
            2 => Mutate.DeleteBytes(bytes, rng, 8, headerEnd),
            3 => Mutate.FlipBytes(bytes, rng, 0, 8, 1),
            _ => Mutate.Truncate(bytes, rng),
        };
        File.WriteAllBytes(file, bytes);
        Outcome.CleanErrorOrSuccess(() => ModelLoader.Load(dir).Dispose(), file);
    }
}
