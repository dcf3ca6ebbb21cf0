using System.Diagnostics;
using NeuronHost.Core.Plugins;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary><c>plugins list</c>/<c>show</c> read plugin metadata without running plugin code:
/// what they show equals what instantiating the plugins gives, and a plugin that exits the
/// process from its module initializer, static constructor and constructor is still listed.</summary>
[Collection(BuiltPluginsCollection.Name)]
public sealed class PluginListingTests(BuiltPluginsFixture built)
{
    /// <summary>The reference is the loading catalog, which creates every plugin and reads its
    /// Info and parameter defaults from the live instance.</summary>
    [Fact]
    public void Metadata_of_every_built_in_plugin_matches_its_running_instance()
    {
        using var catalog = PluginCatalog.Load([BuiltPluginsFixture.BuiltInPlugins, Path.Combine(built.Template, "MyRanking.dll")]);
        var listing = PluginListing.Read([BuiltPluginsFixture.BuiltInPlugins, Path.Combine(built.Template, "MyRanking.dll")]);
        Assert.Empty(catalog.Errors);
        Assert.Empty(listing.Errors);
        Assert.Equal(catalog.Plugins.Select(p => p.Name).Order(), listing.Plugins.Select(p => p.Name).Order());
        Assert.True(catalog.Plugins.Count >= 14);
        foreach (var loaded in catalog.Plugins)
        {
            var listed = listing.Get(loaded.Name);
            Assert.Equal(loaded.Kind, listed.Kind);
            Assert.Equal(loaded.Version, listed.Version);
            Assert.Equal(loaded.Description, listed.Description);
            Assert.Equal(loaded.AssemblyPath, listed.AssemblyPath);
            Assert.Equal(
                loaded.Parameters.Select(p => (p.Name, p.TypeName, (string?)p.DefaultText, p.Description, string.Join("|", p.Choices))),
                listed.Declaration.Parameters.Select(p => (p.Name, p.TypeName, p.DefaultText, p.Description, string.Join("|", p.Choices))));
        }
    }

    [Fact]
    public void Listing_the_same_bad_folders_gives_the_loading_messages()
    {
        var folder = built.NewFolder("plugins");
        var future = BuiltPluginsFixture.DropIn(built.FutureSdk, folder, "Future");
        var notAPlugin = BuiltPluginsFixture.DropIn(built.NotAPlugin, folder, "NotAPlugin");
        var first = BuiltPluginsFixture.DropIn(built.Template, folder, "MyRanking");
        var second = BuiltPluginsFixture.DropIn(built.Template, built.NewFolder("again"), "MyRanking");
        var garbage = Path.Combine(folder, "garbage.dll");
        File.WriteAllBytes(garbage, [1, 2, 3, 4]);
        var folders = new[] { folder, Path.GetDirectoryName(Path.GetDirectoryName(second))! };
        using var catalog = PluginCatalog.Load(folders);
        var listing = PluginListing.Read(folders);
        Assert.Equal(catalog.Errors.Select(e => e.Message).Order(), listing.Errors.Select(e => e.Message).Order());
        Assert.Equal(4, listing.Errors.Count);
        Assert.Contains(listing.Errors, e => e.Path == future && e.Message.Contains("built against NeuronHost SDK 2.0"));
        Assert.Contains(listing.Errors, e => e.Path == notAPlugin);
        Assert.Contains(listing.Errors, e => e.Path == second && e.Message.Contains($"already loaded from {first}"));
        Assert.Contains(listing.Errors, e => e.Path == garbage);
    }

    [Fact]
    public async Task A_plugin_that_exits_when_run_is_listed_and_the_command_exits_0()
    {
        var folder = built.NewFolder("plugins");
        BuiltPluginsFixture.DropIn(built.Exits, folder, "Exits");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var exe = Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
        foreach (var arguments in new[] { new[] { "plugins", "list" }, ["plugins", "show", "exiting-ranking"] })
        {
            var psi = new ProcessStartInfo(exe, [.. arguments, "--plugins", folder]) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment.Remove("NEURONHOST_PLUGINS");
            psi.Environment["NEURONHOST_CONFIG"] = Path.Combine(folder, "no-config.json");
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await p.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, p.ExitCode);
            var text = await stdout;
            Assert.Contains("exiting-ranking", text);
            Assert.Contains("2.3.4", text);
            Assert.Contains("exits when its code runs", text);
            if (arguments[1] == "show")
            {
                Assert.Contains(text.Split('\n'), l => l.Contains(" count ") && l.Contains(" 7 ") && l.Contains("how many"));
                Assert.Contains(text.Split('\n'), l => l.Contains(" weights ") && l.Contains("0.5,2"));
            }
            Assert.DoesNotContain("plugin error", await stderr);
        }
    }
}
