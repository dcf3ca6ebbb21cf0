using System.Text.Json;
using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>The seeded random ranking, loaded as a plugin from the built-in plugins folder.</summary>
public sealed class RandomBaselineTests : IDisposable
{
    private readonly PluginCatalog catalog = PluginCatalog.Load([BuiltPluginsFixture.BuiltInPlugins]);

    public void Dispose() => catalog.Dispose();

    private Ranking Rank(ProbingData data, long? seed = null) =>
        catalog.Create<IRankingMethod>("random", seed is null ? null : new Dictionary<string, string> { ["seed"] = seed.Value.ToString() })
            .Rank(new RankingRequest(data), TestContext.Create());

    private static ProbingData Columns(int n) => TestContext.Data(new float[n * 2], 2, n);

    /// <summary>SplitMix64 + Fisher–Yates written independently in Python (arbitrary precision
    /// integers, masked to 64 bits).</summary>
    private static int[] PythonPermutation(int n, long seed)
    {
        var script = $$"""
            M = (1 << 64) - 1
            state = {{seed}} & M
            def nxt():
                global state
                state = (state + 0x9E3779B97F4A7C15) & M
                z = state
                z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
                z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
                return z ^ (z >> 31)
            order = list(range({{n}}))
            for i in range({{n}} - 1, 0, -1):
                j = (nxt() * (i + 1)) >> 64
                order[i], order[j] = order[j], order[i]
            print(",".join(map(str, order)))
            """;
        return PythonReference.RunOrThrow(script).Trim().Split(',').Select(int.Parse).ToArray();
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(1000, 42)]
    [InlineData(257, -5)]
    [InlineData(64, long.MaxValue)]
    public void Order_matches_an_independent_python_implementation(int n, long seed)
    {
        var ranking = Rank(Columns(n), seed);
        Assert.Equal(PythonPermutation(n, seed), ranking.Order.Select(r => r.Column));
    }

    [Fact]
    public void Default_seed_is_1_and_scores_fall_from_n_to_1()
    {
        var ranking = Rank(Columns(50));
        Assert.Equal(Rank(Columns(50), 1).Order, ranking.Order);
        Assert.Equal(Enumerable.Range(1, 50).Reverse().Select(i => (double)i), ranking.Order.Select(r => r.Score));
        Assert.Equal("random", ranking.Method);
    }

    [Fact]
    public void Same_seed_same_order_and_a_permutation_different_seed_different_order()
    {
        var a = Rank(Columns(300), 7).TopColumns(300);
        var b = Rank(Columns(300), 7).TopColumns(300);
        var c = Rank(Columns(300), 8).TopColumns(300);
        Assert.Equal(a, b);
        Assert.Equal(Enumerable.Range(0, 300), a.Order());
        Assert.NotEqual(a, c);
        Assert.NotEqual(Enumerable.Range(0, 300), a); // actually shuffled
    }

    [Fact]
    public void Bad_seed_text_names_plugin_and_parameter()
    {
        var e = Assert.Throws<PluginException>(() => catalog.Create<IRankingMethod>("random", new Dictionary<string, string> { ["seed"] = "abc" }));
        Assert.Equal("plugin 'random' parameter 'seed': 'abc' is not an integer", e.Message);
    }

    /// <summary>Real activations: layer 2's FFN neurons (mlp.hook_post) of gpt2-mini-brown on the
    /// reference prompts, as computed by the independent PyTorch implementation.</summary>
    [SharedFact]
    public void Ranks_real_gpt2_mini_activations()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedAssets.Model("gpt2-mini-brown"), "reference.json")));
        var rows = new List<float>();
        int tokens = 0, width = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            foreach (var position in c.GetProperty("mlp_hook_post")[2].EnumerateArray())
            {
                width = position.GetArrayLength();
                rows.AddRange(position.EnumerateArray().Select(v => v.GetSingle()));
                tokens++;
            }
        Assert.Equal(1024, width);
        var data = TestContext.Data(rows.ToArray(), tokens, width, hook: HookPoints.MlpPost(2));
        var ranking = Rank(data, 3);
        Assert.Equal(PythonPermutation(1024, 3), ranking.Order.Select(r => r.Column));
        Assert.All(ranking.Order, r => Assert.Equal(new NeuronRef("blocks.2.mlp.hook_post", r.Column), r.Neuron));
    }
}
