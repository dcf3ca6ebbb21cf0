using System.Text.Json;

namespace NeuronHost.Cli.Tui;

/// <summary>Finds model folders and corpus files to offer in the TUI's lists: under the roots
/// given on the command line, NEURONHOST_MODELS / NEURONHOST_CORPORA, and ./models, ./corpora,
/// ../shared/models, ../shared/corpora (from the current folder upwards).</summary>
public static class AssetDiscovery
{
    public static List<string> ModelRoots(IEnumerable<string> extra) => Roots(extra, "NEURONHOST_MODELS", "models");
    public static List<string> CorpusRoots(IEnumerable<string> extra) => Roots(extra, "NEURONHOST_CORPORA", "corpora");

    private static List<string> Roots(IEnumerable<string> extra, string env, string name)
    {
        var roots = extra.Select(Path.GetFullPath).ToList();
        if (Environment.GetEnvironmentVariable(env) is { Length: > 0 } e) roots.AddRange(e.Split(Path.PathSeparator).Select(Path.GetFullPath));
        if (roots.Count > 0) return roots.Where(Directory.Exists).Distinct().ToList();
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            roots.Add(Path.Combine(dir.FullName, name));
            roots.Add(Path.Combine(dir.FullName, "shared", name));
        }
        return roots.Where(Directory.Exists).Distinct().ToList();
    }

    /// <summary>Folders (the roots themselves or their children) holding a config.json.</summary>
    public static List<string> Models(IEnumerable<string> roots) =>
        roots.SelectMany(r => new[] { r }.Concat(SafeDirs(r)))
            .Where(d => File.Exists(Path.Combine(d, "config.json")))
            .Distinct().OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToList();

    /// <summary>.conllu files (two levels deep) under the roots.</summary>
    public static List<string> Corpora(IEnumerable<string> roots) =>
        roots.SelectMany(r => SafeFiles(r, "*.conllu").Concat(SafeDirs(r).SelectMany(d => SafeFiles(d, "*.conllu"))))
            .Distinct().OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();

    /// <summary>Number of transformer blocks from config.json (n_layer / num_hidden_layers), or 0.</summary>
    public static int LayerCount(string modelDir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(modelDir, "config.json")));
            foreach (var key in new[] { "n_layer", "num_hidden_layers", "num_layers" })
                if (doc.RootElement.TryGetProperty(key, out var v) && v.TryGetInt32(out int n)) return n;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { }
        return 0;
    }

    private static IEnumerable<string> SafeDirs(string dir)
    {
        try { return Directory.GetDirectories(dir); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private static IEnumerable<string> SafeFiles(string dir, string pattern)
    {
        try { return Directory.GetFiles(dir, pattern); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }
}
