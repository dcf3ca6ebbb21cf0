using System.Text.Json;
using NeuronHost.Core.Plugins;
using NeuronHost.Data.Store;

namespace NeuronHost.Core.Assets;

/// <summary>One cached activation store: its folder, size, model, corpus and when a run last used it.</summary>
public sealed record CachedStore(string Directory, long Bytes, string Model, string Corpus, long Rows, bool Complete, DateTime LastUsedUtc);

/// <summary>Where runs keep the activation stores they extract when the config names none:
/// <c>NEURONHOST_STORES</c>, else the config file's <c>"storeCache"</c>, else
/// <c>$XDG_CACHE_HOME/neuronhost/stores</c>, else <c>~/.cache/neuronhost/stores</c> — never inside
/// the repository or the current folder. <see cref="Clean"/> removes only folders that are stores
/// (they hold a store manifest), nothing else.</summary>
public static class StoreCache
{
    public const string EnvironmentVariable = "NEURONHOST_STORES";
    public const string ConfigKey = "storeCache";

    public static string Root(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment(EnvironmentVariable) is { Length: > 0 } explicitPath) return Path.GetFullPath(explicitPath);
        if (FromConfig(PluginFolders.ConfigFile) is { } configured) return configured;
        var cacheHome = environment("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cacheHome))
            cacheHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cacheHome, "neuronhost", "stores");
    }

    /// <summary>The config file's "storeCache" (relative to the file's folder), or null.</summary>
    private static string? FromConfig(string configFile)
    {
        if (!File.Exists(configFile)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(configFile),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(ConfigKey, out var value)) return null;
            if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } path)
                throw new InvalidOperationException($"{configFile}: \"{ConfigKey}\" must be a folder path");
            return Path.GetFullPath(path, Path.GetDirectoryName(configFile)!);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{configFile}: not valid JSON ({e.Message})");
        }
    }

    /// <summary>Marks a store as used now (its folder's time; the store's files are not touched).</summary>
    public static void Touch(string storeDirectory)
    {
        try { System.IO.Directory.SetLastWriteTimeUtc(storeDirectory, DateTime.UtcNow); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The stores directly under <paramref name="root"/>, most recently used first. Other folders are ignored.</summary>
    public static IReadOnlyList<CachedStore> List(string root)
    {
        if (!System.IO.Directory.Exists(root)) return [];
        var result = new List<CachedStore>();
        foreach (var dir in System.IO.Directory.GetDirectories(root))
            if (Describe(dir) is { } store) result.Add(store);
        return result.OrderByDescending(s => s.LastUsedUtc).ToList();
    }

    /// <summary>The store in <paramref name="directory"/>, or null when it is not one (no readable store manifest, or a link).</summary>
    public static CachedStore? Describe(string directory)
    {
        var info = new DirectoryInfo(directory);
        if (!info.Exists || info.LinkTarget is not null) return null;
        string manifestPath = Path.Combine(directory, StoreManifest.FileName);
        if (!File.Exists(manifestPath)) return null;
        StoreManifest manifest;
        try { manifest = StoreManifest.Read(manifestPath); }
        catch (Exception e) when (e is FormatException or JsonException or InvalidDataException or IOException or StoreFormatException) { return null; }
        long bytes = info.EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.LinkTarget is null).Sum(f => f.Length);
        return new CachedStore(info.FullName, bytes, manifest.Model.Name, manifest.Corpus.Name, manifest.TotalRows,
            manifest.FinishedRows >= manifest.TotalRows, info.LastWriteTimeUtc);
    }

    /// <summary>Deletes the given stores (folder names under <paramref name="root"/>, or all when
    /// none are named). A name that is not a store directly under the root is refused, not deleted.</summary>
    public static IReadOnlyList<CachedStore> Clean(string root, IReadOnlyCollection<string>? names = null)
    {
        var stores = List(root);
        var chosen = new List<CachedStore>();
        if (names is { Count: > 0 })
        {
            foreach (var name in names)
            {
                if (name != Path.GetFileName(name) || name is "." or "..")
                    throw new ArgumentException($"'{name}': give the name of a store folder in {root} (see 'neuronhost cache list'), not a path");
                chosen.Add(stores.FirstOrDefault(s => Path.GetFileName(s.Directory) == name)
                    ?? throw new ArgumentException($"'{name}' is not a NeuronHost store in {root} (see 'neuronhost cache list'); nothing deleted"));
            }
        }
        else chosen.AddRange(stores);
        foreach (var store in chosen) System.IO.Directory.Delete(store.Directory, recursive: true);
        return chosen;
    }
}
