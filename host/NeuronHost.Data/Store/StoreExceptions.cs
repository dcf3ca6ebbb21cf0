namespace NeuronHost.Data.Store;

/// <summary>A store file that cannot be used as it is (truncated shard, hash mismatch, bad
/// manifest). The message names the file and, for a manifest, the key that is wrong.</summary>
public sealed class StoreFormatException : Exception
{
    public string File { get; }
    /// <summary>The manifest key at fault ("shards[3].firstRow"), when the manifest is.</summary>
    public string? Key { get; }

    public StoreFormatException(string file, string message) : base($"{file}: {message}") => File = file;

    public StoreFormatException(string file, string key, string message) : base($"{file}: {key}: {message}")
    {
        File = file;
        Key = key;
    }
}

/// <summary>The directory holds a store made from something else (another model, corpus, hook
/// set, aggregation or dtype). Nothing was overwritten; pass Force to replace it.</summary>
public sealed class StoreMismatchException(string manifestFile, string difference)
    : Exception($"{manifestFile}: the existing store was made with {difference}; it was left untouched (use --force to replace it)")
{
    public string ManifestFile { get; } = manifestFile;
    public string Difference { get; } = difference;
}

/// <summary>Another live process holds the store's writer lock: nothing was read or changed.</summary>
public sealed class StoreBusyException(string directory, int? pid)
    : Exception($"{directory}: the store is being written by another process{(pid is { } p ? $" (pid {p})" : "")}; wait for it to finish or stop it, then run again")
{
    public string Directory { get; } = directory;
    public int? Pid { get; } = pid;
}
