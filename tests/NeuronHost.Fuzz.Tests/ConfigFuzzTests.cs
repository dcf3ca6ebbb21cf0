using System.Text.Json.Nodes;
using NeuronHost.Fuzz.Tests.Support;
using NeuronHost.Runtime.Models;
using NeuronHost.Tests.Common;

namespace NeuronHost.Fuzz.Tests;

/// <summary>config.json settings that issue 15 found accepted silently (or that exhausted memory),
/// and random damage to the three shared configs.</summary>
public sealed class ConfigFuzzTests
{
    /// <summary>(model, key, JSON value or null to remove the key); the error must name the key.</summary>
    public static TheoryData<string, string, string?> WrongSettings() => new()
    {
        { "gpt2-mini-brown", "activation_function", "7" },
        { "gpt2-mini-brown", "activation_function", "\"swiglu\"" },
        { "gpt2-mini-brown", "activation_function", "\"\\u001b]0;pwned\\u0007\"" },
        { "gpt2-mini-brown", "n_layer", "0" },
        { "gpt2-mini-brown", "n_layer", "-1" },
        { "gpt2-mini-brown", "n_layer", "2147483647" },
        { "gpt2-mini-brown", "n_layer", "1e3" },
        { "gpt2-mini-brown", "n_layer", "\"4\"" },
        { "gpt2-mini-brown", "n_layer", "5" },
        { "gpt2-mini-brown", "n_head", "0" },
        { "gpt2-mini-brown", "n_head", "7" },
        { "gpt2-mini-brown", "n_embd", "99999999999" },
        { "gpt2-mini-brown", "vocab_size", "2147483647" },
        { "gpt2-mini-brown", "n_positions", "1000000000" },
        { "gpt2-mini-brown", "n_inner", "0" },
        { "gpt2-mini-brown", "layer_norm_epsilon", "-1" },
        { "gpt2-mini-brown", "layer_norm_epsilon", "0" },
        { "gpt2-mini-brown", "layer_norm_epsilon", "1e999" },
        { "gpt2-mini-brown", "layer_norm_epsilon", "\"1e-5\"" },
        { "gpt2-mini-brown", "model_type", "42" },
        { "gpt2-mini-brown", "model_type", "\"t5\"" },
        { "gpt2-mini-brown", "model_type", null },
        { "tiny-llama", "num_key_value_heads", "3" },
        { "tiny-llama", "num_hidden_layers", "2147483647" },
        { "tiny-llama", "rms_norm_eps", "-1e-5" },
        { "tiny-llama", "rope_theta", "0" },
        { "tiny-llama", "head_dim", "7" },
        { "tiny-llama", "hidden_act", "[\"silu\"]" },
        { "tiny-llama", "tie_word_embeddings", "\"yes\"" },
        { "tiny-llama", "rope_scaling", "{\"type\": \"linear\"}" },
        { "tiny-bert", "hidden_act", "1" },
        { "tiny-bert", "type_vocab_size", "0" },
        { "tiny-bert", "layer_norm_eps", "-0.0" },
        { "tiny-bert", "num_attention_heads", "-4" },
        { "tiny-bert", "intermediate_size", "2147483647" },
    };

    [SharedTheory]
    [MemberData(nameof(WrongSettings))]
    public void Wrong_setting_is_refused_naming_file_and_key(string model, string key, string? json)
    {
        using var scratch = new Scratch();
        string dir = scratch.CopyFolder(SharedAssets.Model(model));
        string config = Path.Combine(dir, "config.json");
        var root = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        if (json is null) root.Remove(key); else root[key] = JsonNode.Parse(json);
        File.WriteAllText(config, root.ToJsonString());
        string line = Outcome.MustFail(() => ModelLoader.Load(dir).Dispose(), dir);
        // n_layer 5 on a 4-layer checkpoint is caught at the missing tensor of layer 4.
        Assert.True(line.Contains(key, StringComparison.Ordinal) || line.Contains(".4.", StringComparison.Ordinal), line);
        Assert.Contains(Path.GetFileName(key == "n_layer" && json == "5" ? "model.safetensors" : config), line, StringComparison.Ordinal);
    }

    public static TheoryData<string> BrokenFiles() => new() { "", "[]", "null", "{", "{\"model_type\": \"gpt2\"", new string('[', 100_000), "\uFEFF{}", "{\"model_type\":\"gpt2\",\"model_type\":\"bert\"}" };

    [SharedTheory]
    [MemberData(nameof(BrokenFiles))]
    public void Broken_config_file_is_refused_naming_it(string text)
    {
        using var scratch = new Scratch();
        string dir = scratch.CopyFolder(SharedAssets.Model("gpt2-mini-brown"));
        File.WriteAllText(Path.Combine(dir, "config.json"), text);
        Outcome.MustFail(() => ModelLoader.Load(dir).Dispose(), Path.Combine(dir, "config.json"));
    }

    [SharedFact]
    public void Fewer_layers_than_the_checkpoint_holds_are_named()
    {
        using var scratch = new Scratch();
        string dir = scratch.CopyFolder(SharedAssets.Model("tiny-llama"));
        string config = Path.Combine(dir, "config.json");
        var root = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        root["num_hidden_layers"] = 3;
        File.WriteAllText(config, root.ToJsonString());
        using var session = ModelLoader.Load(dir);
        var warning = Assert.Single(session.LoadWarnings);
        Assert.Contains("beyond num_hidden_layers = 3 (3, 4)", warning, StringComparison.Ordinal);
    }

    public static TheoryData<int> Seeds(int count) => new(Enumerable.Range(0, count));

    [SharedTheory]
    [MemberData(nameof(Seeds), 60)]
    public void Randomly_damaged_config_fails_cleanly_or_loads(int seed)
    {
        var rng = new Random(1000 + seed);
        string model = new[] { "gpt2-mini-brown", "tiny-llama", "tiny-bert" }[seed % 3];
        using var scratch = new Scratch();
        string dir = scratch.CopyFolder(SharedAssets.Model(model));
        string config = Path.Combine(dir, "config.json");
        string text = File.ReadAllText(config);
        for (int i = 0, n = rng.Next(1, 4); i < n; i++) text = Mutate.Text(text, rng);
        File.WriteAllText(config, text);
        Outcome.CleanErrorOrSuccess(() => ModelLoader.Load(dir).Dispose(), dir);
    }
}
