using NeuronHost.Cli;
using NeuronHost.Core.Assets;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>The store cache: outside the repository and the current folder, movable by the
/// environment, and cleaned of stores only — never of anything else in it.</summary>
public sealed class StoreCacheTests : IDisposable
{
    private readonly string temp = Path.Combine(Path.GetTempPath(), $"neuronhost-storecache-{Guid.NewGuid():N}");
    public StoreCacheTests() => Directory.CreateDirectory(temp);
    public void Dispose() { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); }

    [Fact]
    public void Root_is_the_environment_variable_else_the_xdg_cache_never_the_current_folder()
    {
        string? Env(string name, Dictionary<string, string> values) => values.GetValueOrDefault(name);
        Assert.Equal(Path.Combine(temp, "s"), StoreCache.Root(n => Env(n, new() { [StoreCache.EnvironmentVariable] = Path.Combine(temp, "s"), ["XDG_CACHE_HOME"] = "/x" })));
        if (!File.Exists(NeuronHost.Core.Plugins.PluginFolders.ConfigFile))
        {
            Assert.Equal("/x/neuronhost/stores", StoreCache.Root(n => Env(n, new() { ["XDG_CACHE_HOME"] = "/x" })));
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            Assert.Equal(Path.Combine(home, ".cache", "neuronhost", "stores"), StoreCache.Root(n => Env(n, [])));
        }
        Assert.DoesNotContain(SharedAssets.RepoRoot, StoreCache.Root(n => Env(n, [])));
    }

    [SharedFact]
    public void List_shows_stores_and_clean_removes_only_stores()
    {
        string root = Path.Combine(temp, "stores");
        string store = Path.Combine(root, "gpt2-ewt");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(["extract", "--model", SharedAssets.Model("gpt2-mini-brown"), "--corpus", SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu"),
            "--max-sentences", "30", "--hooks", "blocks.0.mlp.hook_post", "--out", store, "--quiet"], Program.Commands, output, error, new CliContext { OnlyCommandLinePlugins = true });
        Assert.True(code == 0, error.ToString());
        // Things in the cache folder that are not stores: a folder of files, a bogus manifest, a link to a store elsewhere.
        Directory.CreateDirectory(Path.Combine(root, "notes"));
        File.WriteAllText(Path.Combine(root, "notes", "keep.txt"), "mine");
        Directory.CreateDirectory(Path.Combine(root, "fake"));
        File.WriteAllText(Path.Combine(root, "fake", "manifest.json"), "{\"format\": \"something-else\"}");
        string outside = Path.Combine(temp, "outside-store");
        CopyDirectory(store, outside);
        Directory.CreateSymbolicLink(Path.Combine(root, "link"), outside);

        var listed = Assert.Single(StoreCache.List(root));
        Assert.Equal(store, listed.Directory);
        Assert.Equal("gpt2-mini-brown", listed.Model);
        Assert.True(listed.Complete);
        Assert.Equal(new DirectoryInfo(store).EnumerateFiles().Sum(f => f.Length), listed.Bytes);

        Assert.Throws<ArgumentException>(() => StoreCache.Clean(root, ["../outside-store"]));
        Assert.Throws<ArgumentException>(() => StoreCache.Clean(root, ["notes"]));
        var removed = Assert.Single(StoreCache.Clean(root));
        Assert.Equal(store, removed.Directory);
        Assert.False(Directory.Exists(store));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(root, "notes", "keep.txt")));
        Assert.True(File.Exists(Path.Combine(root, "fake", "manifest.json")));
        Assert.True(File.Exists(Path.Combine(outside, "manifest.json")));
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}
