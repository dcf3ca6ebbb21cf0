using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Host.Tests;

/// <summary>Each kind of bad plugin gives one line that names its file (and type or plugin), and
/// the good plugins in the same folders still load.</summary>
[Collection(BuiltPluginsCollection.Name)]
public sealed class FaultyPluginTests(BuiltPluginsFixture built)
{
    /// <summary>A plugins folder with the good template plugin and the given bad one, loaded
    /// after the built-in plugins; returns the errors about files in that folder.</summary>
    private (PluginCatalog Catalog, List<string> Errors, string Folder) LoadBeside(Action<string> addBadPlugin)
    {
        var folder = built.NewFolder("plugins");
        BuiltPluginsFixture.DropIn(built.Template, folder, "MyRanking");
        addBadPlugin(folder);
        var catalog = PluginCatalog.Load([BuiltPluginsFixture.BuiltInPlugins, folder]);
        var errors = catalog.Errors.Where(e => e.Path.StartsWith(folder, StringComparison.Ordinal)).Select(e => e.Message).ToList();
        Assert.NotNull(catalog.Find("myranking-variance"));
        Assert.NotNull(catalog.Find("random"));
        return (catalog, errors, folder);
    }

    [Fact]
    public void Random_bytes_are_not_a_dotnet_assembly()
    {
        string dll = "";
        var (catalog, errors, _) = LoadBeside(folder =>
        {
            dll = Path.Combine(folder, "Garbage", "Garbage.dll");
            Directory.CreateDirectory(Path.GetDirectoryName(dll)!);
            var bytes = new byte[4096];
            new Random(7).NextBytes(bytes);
            File.WriteAllBytes(dll, bytes);
        });
        using (catalog)
            Assert.Equal([$"{dll}: not a .NET assembly (not a valid PE file); not a plugin"], errors);
    }

    [Fact]
    public void A_dotnet_library_without_the_sdk_is_not_a_plugin()
    {
        string dll = "";
        var (catalog, errors, _) = LoadBeside(folder =>
        {
            dll = Path.Combine(folder, "xunit.assert.dll");
            File.Copy(typeof(Assert).Assembly.Location, dll);
        });
        using (catalog)
            Assert.Equal([$"{dll}: not a NeuronHost plugin (it does not reference NeuronHost.Sdk)"], errors);
    }

    [Fact]
    public void A_library_on_the_sdk_without_a_plugin_class_is_not_a_plugin()
    {
        string dll = "";
        var (catalog, errors, _) = LoadBeside(folder => dll = BuiltPluginsFixture.DropIn(built.NotAPlugin, folder, "NotAPlugin"));
        using (catalog)
            Assert.Equal([$"{dll}: not a NeuronHost plugin (no public class implements IRankingMethod, IProbe or IIntervention)"], errors);
    }

    [Fact]
    public void A_plugin_built_against_another_sdk_major_is_refused()
    {
        string dll = "";
        var (catalog, errors, _) = LoadBeside(folder => dll = BuiltPluginsFixture.DropIn(built.FutureSdk, folder, "Future"));
        using (catalog)
        {
            Assert.Equal([$"{dll}: built against NeuronHost SDK 2.0, but this host has SDK {SdkVersion.Major}.{SdkVersion.Minor}; rebuild the plugin against SDK {SdkVersion.Major}.x"], errors);
            Assert.Null(catalog.Find("future-ranking"));
        }
    }

    [Fact]
    public void A_type_that_fails_to_load_is_named_and_its_neighbours_still_load()
    {
        string dll = "";
        var (catalog, errors, _) = LoadBeside(folder => dll = BuiltPluginsFixture.DropIn(built.Broken, folder, "Broken"));
        using (catalog)
        {
            var error = Assert.Single(errors);
            Assert.StartsWith($"{dll}: type 'Broken.BrokenRanking' failed to load: ", error);
            Assert.Contains("'Dep, Version=", error);
            Assert.DoesNotContain('\n', error);
            Assert.Null(catalog.Find("broken-ranking"));
            // The other plugin class in the same assembly is fine.
            Assert.Equal(dll, catalog.Get("still-works").AssemblyPath);
        }
    }

    [Fact]
    public void A_constructor_that_throws_is_reported_with_its_message()
    {
        string dll = "";
        var (catalog, errors, _) = LoadBeside(folder => dll = BuiltPluginsFixture.DropIn(built.Throws, folder, "Throws"));
        using (catalog)
        {
            Assert.Equal([$"{dll}: plugin type 'Throws.ThrowingRanking' constructor threw InvalidOperationException: no licence file found"], errors);
            Assert.Null(catalog.Find("throwing-ranking"));
        }
    }

    [Fact]
    public void Two_plugins_with_the_same_name_name_both_files_and_the_first_wins()
    {
        var first = built.NewFolder("first");
        var second = built.NewFolder("second");
        var firstDll = BuiltPluginsFixture.DropIn(built.Template, first, "MyRanking");
        var secondDll = BuiltPluginsFixture.DropIn(built.Template, second, "MyRanking");
        using var catalog = PluginCatalog.Load([BuiltPluginsFixture.BuiltInPlugins, first, second]);
        var errors = catalog.Errors.Where(e => e.Path.StartsWith(built.Root, StringComparison.Ordinal)).Select(e => e.Message);
        Assert.Equal([$"{secondDll}: plugin 'myranking-variance' is already loaded from {firstDll}; two plugins have the same name, only the first is used"], errors);
        Assert.Equal(firstDll, catalog.Get("myranking-variance").AssemblyPath);
        Assert.NotNull(catalog.Find("random"));
    }

    [Fact]
    public void A_missing_folder_is_one_error_and_the_others_still_load()
    {
        var missing = Path.Combine(built.Root, "no-such-folder");
        using var catalog = PluginCatalog.Load([BuiltPluginsFixture.BuiltInPlugins, missing]);
        Assert.Contains(catalog.Errors, e => e.Message == $"{missing}: plugins folder does not exist (from --plugins)");
        Assert.NotNull(catalog.Find("random"));
    }

    [Fact]
    public void Creating_a_plugin_of_the_wrong_kind_or_unknown_name_says_so()
    {
        using var catalog = PluginCatalog.Load([BuiltPluginsFixture.BuiltInPlugins]);
        var wrongKind = Assert.Throws<PluginException>(() => catalog.Create<IProbe>("random"));
        Assert.Equal("plugin 'random' is a ranking plugin, not a probe", wrongKind.Message);
        var unknown = Assert.Throws<PluginException>(() => catalog.Create<IRankingMethod>("nope"));
        Assert.StartsWith("unknown plugin 'nope' (installed: ", unknown.Message);
        Assert.Contains("random", unknown.Message);
    }
}
