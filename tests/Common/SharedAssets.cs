using System.Runtime.CompilerServices;

namespace NeuronHost.Tests.Common;

/// <summary>The test assets beside the project (../shared: models, corpora, references). A fresh
/// clone has none, so tests that need them skip with this reason; CI sets
/// NEURONHOST_REQUIRE_SHARED=1 so that there they run (and fail) instead of skipping.</summary>
public static class SharedAssets
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared next to the repository, or NEURONHOST_SHARED.</summary>
    public static string Root { get; } =
        Environment.GetEnvironmentVariable("NEURONHOST_SHARED") is { Length: > 0 } s
            ? s : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static bool Available => File.Exists(Path.Combine(Root, "DESIGN.md"));
    public static bool Required => Environment.GetEnvironmentVariable("NEURONHOST_REQUIRE_SHARED") == "1";

    public static string SkipReason =>
        $"needs the test assets in {Root} (models and corpora beside the repository); not present in this clone";

    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);
    public static string Model(string name) => Path.Combine(Root, "models", name);
    public static string Corpus(params string[] parts) => Path.Combine([Root, "corpora", .. parts]);

    private static string FindRepoRoot([CallerFilePath] string thisFile = "")
    {
        // Prefer walking up from the test binary; fall back to this source file's location.
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(thisFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "NeuronHost.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("cannot find NeuronHost.sln above the test binaries");
    }
}

/// <summary>A fact that needs ../shared: skipped with a clear reason where it is absent (unless
/// CI requires it).</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (!SharedAssets.Available && !SharedAssets.Required) Skip = SharedAssets.SkipReason;
    }
}

public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (!SharedAssets.Available && !SharedAssets.Required) Skip = SharedAssets.SkipReason;
    }
}
