using System.Text.Json;

namespace NeuronHost.Runtime.Models;

/// <summary>Typed access to config.json; a missing or mistyped key names the file and key.</summary>
internal sealed class ConfigReader
{
    private readonly JsonElement root;
    public string Path { get; }
    public byte[] Bytes { get; }

    /// <summary>The largest config.json read (real ones are under 10 KB).</summary>
    public const int MaxBytes = 1 << 20;

    public ConfigReader(string path)
    {
        Path = path;
        if (!File.Exists(path)) throw new ModelLoadException(path, null, "config.json not found");
        Bytes = Safetensors.Checkpoint.ReadBounded(path, MaxBytes);
        if (!System.Text.Unicode.Utf8.IsValid(Bytes)) throw new ModelLoadException(path, null, "not valid UTF-8 text");
        try
        {
            using var doc = JsonDocument.Parse(Bytes);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e) { throw new ModelLoadException(path, null, $"not valid JSON ({e.Message})", e); }
        if (root.ValueKind != JsonValueKind.Object) throw new ModelLoadException(path, null, "not a JSON object");
    }

    private JsonElement? Find(string key) =>
        root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public bool Has(string key) => Find(key) is not null;

    public string? String(string key) => Find(key) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    /// <summary>An integer; size keys must lie in their <see cref="ModelLimits"/> range.</summary>
    public int Int(string key, int? fallback = null)
    {
        var (min, max) = ModelLimits.RangeOf(key) ?? (0, int.MaxValue);
        if (Find(key) is { } v)
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long i) && i >= min && i <= max) return (int)i;
            throw new ModelLoadException(Path, key, $"expected an integer from {min} to {max}, found {Shorten(v.GetRawText())}");
        }
        return fallback ?? throw new ModelLoadException(Path, key, "required key missing");
    }

    public double Double(string key, double fallback)
    {
        if (Find(key) is not { } v) return fallback;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && double.IsFinite(d)) return d;
        throw new ModelLoadException(Path, key, $"expected a number, found {Shorten(v.GetRawText())}");
    }

    /// <summary>A finite number above zero (epsilons, RoPE's theta).</summary>
    public double Positive(string key, double fallback)
    {
        double value = Double(key, fallback);
        return value > 0 ? value : throw new ModelLoadException(Path, key, $"must be a positive number, found {value}");
    }

    private static string Shorten(string raw) => raw.Length <= 40 ? raw : raw[..40] + $"… ({raw.Length} characters)";

    public bool Bool(string key, bool fallback)
    {
        if (Find(key) is not { } v) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelLoadException(Path, key, $"expected true or false, found {v.GetRawText()}"),
        };
    }

    public Activation Activation(string key, string fallback)
    {
        if (Find(key) is { ValueKind: not JsonValueKind.String } wrong)
            throw new ModelLoadException(Path, key, $"expected an activation name (gelu, gelu_new, silu, relu), found {Shorten(wrong.GetRawText())}");
        string name = String(key) ?? fallback;
        return name switch
        {
            "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => Models.Activation.GeluNew,
            "gelu" => Models.Activation.GeluErf,
            "silu" or "swish" => Models.Activation.Silu,
            "relu" => Models.Activation.Relu,
            _ => throw new ModelLoadException(Path, key, $"unsupported activation '{Shorten(name)}' (gelu, gelu_new, silu, relu)"),
        };
    }
}
