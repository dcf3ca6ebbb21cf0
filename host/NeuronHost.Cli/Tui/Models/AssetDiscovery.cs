using System.Text.Json;
using System.Text.RegularExpressions;
using NeuronHost.Core.Assets;
using NeuronHost.Data.Corpora;

namespace NeuronHost.Cli.Tui.Models;

/// <summary>Finds what the Setup view offers: every kind of model and corpus the CLI loads, under
/// the roots given on the command line, NEURONHOST_MODELS / NEURONHOST_CORPORA, ./models,
/// ./corpora and ../shared/… (from the current folder upwards), plus the npm cache the demo
/// fills (USE-Lite, the Brown corpus).</summary>
public static partial class AssetDiscovery
{
    public static List<string> ModelRoots(IEnumerable<string> extra) => Roots(extra, "NEURONHOST_MODELS", "models");
    public static List<string> CorpusRoots(IEnumerable<string> extra) => Roots(extra, "NEURONHOST_CORPORA", "corpora");

    /// <summary>The npm packages folder of the demo's cache (cache/npm), when it exists.</summary>
    public static List<string> NpmRoots()
    {
        string npm = Path.Combine(NpmPackageCache.DefaultRoot(), "npm");
        return Directory.Exists(npm) ? [npm] : [];
    }

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

    /// <summary>Model folders among the roots and their children: Hugging Face folders
    /// (config.json) and TF.js packages such as USE-Lite (model.json, or dist/model.json).</summary>
    public static List<AssetChoice> Models(IEnumerable<string> roots) =>
        roots.SelectMany(r => SafeDirs(r).Prepend(r)).Distinct()
            .Select(ModelChoice).OfType<AssetChoice>()
            .OrderBy(m => m.Name, StringComparer.Ordinal).ToList();

    public static AssetChoice? ModelChoice(string dir)
    {
        string name = Path.GetFileName(dir.TrimEnd('/'));
        if (File.Exists(Path.Combine(dir, "config.json"))) return new AssetChoice(name, "Hugging Face", dir);
        if (File.Exists(Path.Combine(dir, "model.json")) || File.Exists(Path.Combine(dir, "dist", "model.json")))
            return new AssetChoice(name, "TF.js", dir);
        return null;
    }

    /// <summary>Corpora among the roots, their children and grandchildren: a folder of UD
    /// train/dev/test .conllu files is one entry (its files are not listed again), other .conllu
    /// files one entry each, a folder of Brown files one entry, and NeuroX pairs
    /// (NAME.word.txt + NAME.label.txt, or NAME.word + NAME.label) one entry each.</summary>
    public static List<AssetChoice> Corpora(IEnumerable<string> roots)
    {
        var dirs = roots.SelectMany(r => SafeDirs(r).SelectMany(d => SafeDirs(d).Prepend(d)).Prepend(r)).Distinct().ToList();
        var found = new List<AssetChoice>();
        foreach (var dir in dirs)
        {
            var files = SafeFiles(dir);
            var conllu = files.Where(f => f.EndsWith(".conllu", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
            if (conllu.Count > 1 && conllu.Any(f => SplitName().IsMatch(Path.GetFileName(f))))
                found.Add(new AssetChoice(Path.GetFileName(dir), $"CoNLL-U, {conllu.Count} files", dir, "conllu"));
            else
                found.AddRange(conllu.Select(f => new AssetChoice(Path.GetFileName(f), "CoNLL-U", f, "conllu")));
            int brown = files.Count(f => BrownReader.IsBrownFileName(Path.GetFileName(f)));
            if (brown > 0) found.Add(new AssetChoice(Path.GetFileName(dir), $"Brown, {brown} files", dir, "brown"));
            foreach (var word in files.Where(f => f.EndsWith(".word.txt", StringComparison.Ordinal) || f.EndsWith(".word", StringComparison.Ordinal)))
            {
                string label = word.EndsWith(".txt", StringComparison.Ordinal) ? word[..^9] + ".label.txt" : word[..^5] + ".label";
                if (File.Exists(label))
                    found.Add(new AssetChoice(Path.GetFileName(word), "NeuroX pair", $"{word}:{label}", "neurox"));
            }
        }
        return found.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The corpus entry for a path the user typed or a config named.</summary>
    public static AssetChoice CorpusChoice(string path, string format)
    {
        string name = path.Contains(':') && !File.Exists(path) && !Directory.Exists(path)
            ? Path.GetFileName(path[..path.IndexOf(':')]) : Path.GetFileName(path.TrimEnd('/'));
        return new AssetChoice(name, format, path, format);
    }

    /// <summary>Transformer blocks of a model folder: n_layer / num_hidden_layers in config.json,
    /// or the Layer_N blocks named in a TF.js model.json; 0 when unknown.</summary>
    public static int LayerCount(string modelDir)
    {
        try
        {
            string config = Path.Combine(modelDir, "config.json");
            if (File.Exists(config))
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(config));
                foreach (var key in new[] { "n_layer", "num_hidden_layers", "num_layers" })
                    if (doc.RootElement.TryGetProperty(key, out var v) && v.TryGetInt32(out int n)) return n;
                return 0;
            }
            string tfjs = new[] { Path.Combine(modelDir, "model.json"), Path.Combine(modelDir, "dist", "model.json") }.FirstOrDefault(File.Exists) ?? "";
            if (tfjs.Length == 0) return 0;
            return TfjsLayer().Matches(File.ReadAllText(tfjs)).Select(m => m.Groups[1].Value).Distinct().Count();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return 0; }
    }

    [GeneratedRegex(@"-(train|dev|test)\.conllu$", RegexOptions.IgnoreCase)]
    private static partial Regex SplitName();

    [GeneratedRegex(@"/Layer_(\d+)/")]
    private static partial Regex TfjsLayer();

    private static IEnumerable<string> SafeDirs(string dir)
    {
        try { return Directory.GetDirectories(dir).Order(StringComparer.Ordinal); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private static List<string> SafeFiles(string dir)
    {
        try { return Directory.GetFiles(dir).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }
}
