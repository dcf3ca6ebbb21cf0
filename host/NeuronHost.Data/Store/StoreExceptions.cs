namespace NeuronHost.Data.Store;

/// <summary>A store file that cannot be used as it is (truncated shard, hash mismatch, bad
/// manifest). The message names the file.</summary>
public sealed class StoreFormatException(string file, string message) : Exception($"{file}: {message}")
{
    public string File { get; } = file;
}

/// <summary>The directory holds a store made from something else (another model, corpus, hook
/// set, aggregation or dtype). Nothing was overwritten; pass Force to replace it.</summary>
public sealed class StoreMismatchException(string manifestFile, string difference)
    : Exception($"{manifestFile}: the existing store was made with {difference}; it was left untouched (use --force to replace it)")
{
    public string ManifestFile { get; } = manifestFile;
    public string Difference { get; } = difference;
}
