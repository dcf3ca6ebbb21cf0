using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Host.Tests;

/// <summary>The template project, copied out of the repository and built against its SDK, is
/// dropped into a plugins folder; the host lists it and runs it.</summary>
[Collection(BuiltPluginsCollection.Name)]
public sealed class OutsidePluginTests(BuiltPluginsFixture built)
{
    [Fact]
    public void Template_builds_without_the_sdk_beside_it()
    {
        Assert.True(File.Exists(Path.Combine(built.Template, "MyRanking.dll")));
        Assert.True(File.Exists(Path.Combine(built.Template, "MyRanking.deps.json")));
        Assert.False(File.Exists(Path.Combine(built.Template, "NeuronHost.Sdk.dll")));
    }

    [Fact]
    public void Host_lists_the_dropped_in_plugin_beside_the_built_in_ones()
    {
        var folder = built.NewFolder("plugins");
        var dll = BuiltPluginsFixture.DropIn(built.Template, folder, "MyRanking");
        using var catalog = PluginCatalog.Load([BuiltPluginsFixture.BuiltInPlugins, folder]);

        Assert.DoesNotContain(catalog.Errors, e => e.Path.StartsWith(folder, StringComparison.Ordinal));
        var plugin = catalog.Get("myranking-variance");
        Assert.Equal(PluginKind.Ranking, plugin.Kind);
        Assert.Equal(new Version(1, 0, 0), plugin.Version);
        Assert.Equal(dll, plugin.AssemblyPath);
        Assert.Equal(folder, plugin.Source.Path);
        var center = Assert.Single(plugin.Parameters);
        Assert.Equal("center", center.Name);
        Assert.Equal("true", center.DefaultText);
        Assert.NotNull(catalog.Find("random"));
    }

    [Fact]
    public void A_plugin_resolves_its_own_dependencies_in_its_own_context()
    {
        var folder = built.NewFolder("plugins");
        BuiltPluginsFixture.DropIn(built.UsesDep, folder, "UsesDep");
        using var catalog = PluginCatalog.Load([folder]);
        Assert.Empty(catalog.Errors);
        var plugin = catalog.Get("uses-dep");
        var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(plugin.Type.Assembly)!;
        Assert.True(context.IsCollectible);
        Assert.NotSame(System.Runtime.Loader.AssemblyLoadContext.Default, context);
        // The SDK is the host's own: the plugin's IRankingMethod is ours.
        Assert.Same(typeof(IRankingMethod).Assembly, plugin.Type.GetInterface(nameof(IRankingMethod))!.Assembly);

        var ranking = catalog.Create<IRankingMethod>("uses-dep").Rank(new RankingRequest(TestContext.Data(new float[3], 1, 3)), TestContext.Create());
        Assert.Equal([3.0, 2.0, 1.0], ranking.Order.Select(r => r.Score));
        var dep = context.Assemblies.Single(a => a.GetName().Name == "Dep");
        Assert.Equal(Path.Combine(folder, "UsesDep", "Dep.dll"), dep.Location);
    }

    [Fact]
    public void A_build_output_folder_given_directly_loads_its_plugin_not_its_dependencies()
    {
        using var catalog = PluginCatalog.Load([built.UsesDep]);
        Assert.Empty(catalog.Errors);
        Assert.Equal(Path.Combine(built.UsesDep, "UsesDep.dll"), Assert.Single(catalog.Plugins).AssemblyPath);
    }

    [Fact]
    public void A_plugins_path_may_name_one_dll()
    {
        var dll = Path.Combine(built.Template, "MyRanking.dll");
        using var catalog = PluginCatalog.Load([dll]);
        Assert.Empty(catalog.Errors);
        Assert.Equal(dll, catalog.Get("myranking-variance").AssemblyPath);
    }

    [Fact]
    public void Host_runs_the_dropped_in_plugin_on_an_activation_matrix()
    {
        var folder = built.NewFolder("plugins");
        BuiltPluginsFixture.DropIn(built.Template, folder, "MyRanking");
        using var catalog = PluginCatalog.Load([folder]);

        // Column j (of 4) over 6 tokens: values chosen so the population variances are known:
        // col0: 1,1,1,1,1,1 → var 0, mean square 1; col1: ±2 → var 4, ms 4;
        // col2: 0,0,0,0,0,6 → mean 1, ms 6, var 5; col3: 3,3,3,3,3,3 → var 0, ms 9.
        float[] x =
        [
            1, 2, 0, 3,
            1, -2, 0, 3,
            1, 2, 0, 3,
            1, -2, 0, 3,
            1, 2, 0, 3,
            1, -2, 6, 3,
        ];
        var data = TestContext.Data(x, rows: 6, columns: 4, rowsPerBlock: 4); // two blocks
        var variance = catalog.Create<IRankingMethod>("myranking-variance").Rank(new RankingRequest(data), TestContext.Create());
        Assert.Equal([2, 1, 0, 3], variance.Order.Select(n => n.Column));
        Assert.Equal([5, 4, 0, 0], variance.Order.Select(n => Math.Round(n.Score, 9)));
        Assert.Equal(new NeuronRef("blocks.0.mlp.hook_post", 2), variance.Order[0].Neuron);

        var meanSquare = catalog.Create<IRankingMethod>("myranking-variance", new Dictionary<string, string> { ["center"] = "false" })
            .Rank(new RankingRequest(data), TestContext.Create());
        Assert.Equal([3, 2, 1, 0], meanSquare.Order.Select(n => n.Column));
        Assert.Equal([9, 6, 4, 1], meanSquare.Order.Select(n => Math.Round(n.Score, 9)));
    }
}
