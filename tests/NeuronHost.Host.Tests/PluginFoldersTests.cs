using NeuronHost.Core.Plugins;

namespace NeuronHost.Host.Tests;

/// <summary>Where the host looks for plugins: config file, environment, --plugins, in order.</summary>
public sealed class PluginFoldersTests : IDisposable
{
    private readonly string dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "neuronhost-folders-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public void Dispose() => Directory.Delete(dir, true);

    private (IReadOnlyList<PluginFolder> Folders, IReadOnlyList<PluginLoadError> Errors) Resolve(string? configText, string? env, params string[] cli)
    {
        var config = Path.Combine(dir, "config.json");
        if (configText is not null) File.WriteAllText(config, configText);
        var vars = new Dictionary<string, string?> { ["NEURONHOST_CONFIG"] = config, ["NEURONHOST_PLUGINS"] = env };
        return PluginFolders.Resolve(cli, includeBuiltIn: false, environment: k => vars.GetValueOrDefault(k));
    }

    [Fact]
    public void Config_then_environment_then_command_line()
    {
        var (folders, errors) = Resolve("""{ "pluginFolders": ["rel", "/abs/one"] }""", $"/env/a{Path.PathSeparator}/env/b", "/cli/x");
        Assert.Empty(errors);
        Assert.Equal([Path.Combine(dir, "rel"), "/abs/one", "/env/a", "/env/b", "/cli/x"], folders.Select(f => f.Path));
        Assert.Equal($"config {Path.Combine(dir, "config.json")}", folders[0].Origin);
        Assert.Equal("NEURONHOST_PLUGINS", folders[2].Origin);
        Assert.Equal("--plugins", folders[4].Origin);
    }

    [Fact]
    public void No_config_file_is_fine_and_duplicates_are_dropped()
    {
        var (folders, errors) = Resolve(null, "/same", "/same", "/other");
        Assert.Empty(errors);
        Assert.Equal(["/same", "/other"], folders.Select(f => f.Path));
    }

    [Fact]
    public void Malformed_config_names_the_file_and_line()
    {
        var config = Path.Combine(dir, "config.json");
        var (folders, errors) = Resolve("{\n  \"pluginFolders\": [\"/a\",\n  oops ]\n}", null, "/cli");
        Assert.Equal(["/cli"], folders.Select(f => f.Path));
        var error = Assert.Single(errors);
        Assert.StartsWith($"{config}: not valid JSON (line 3): ", error.Message);
    }

    [Fact]
    public void Wrong_shapes_in_config_are_named()
    {
        var config = Path.Combine(dir, "config.json");
        var (_, errors) = Resolve("""{ "pluginFolders": "/a" }""", null);
        Assert.Equal([$"{config}: \"pluginFolders\" must be an array of folder paths"], errors.Select(e => e.Message));
        var (folders, errors2) = Resolve("""{ "pluginFolders": ["/ok", 3] }""", null);
        Assert.Equal(["/ok"], folders.Select(f => f.Path));
        Assert.Equal([$"{config}: \"pluginFolders\" entry 3 is not a folder path"], errors2.Select(e => e.Message));
    }
}
