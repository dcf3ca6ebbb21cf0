using NeuronHost.Core.Plugins;
using NeuronHost.Sdk;

namespace NeuronHost.Host.Tests;

public sealed class PluginParametersTests
{
    public enum Direction { TopDown, BottomUp }

    public sealed class Sample : IRankingMethod
    {
        public PluginInfo Info { get; } = new("sample", PluginKind.Ranking, "test", new Version(1, 0));
        [PluginParameter("k")] public int MaxNeurons { get; set; } = 400;
        [PluginParameter("l1")] public double L1Lambda { get; set; } = 0.001;
        [PluginParameter("b")] public bool Balanced { get; set; }
        [PluginParameter("d")] public Direction Order { get; set; } = Direction.BottomUp;
        [PluginParameter("ks")] public int[] Ks { get; set; } = [1, 10, 100];
        [PluginParameter("a")] public double[] Alphas { get; set; } = [0.5, 2];
        [PluginParameter("s")] public string Label { get; set; } = "upos";
        [PluginParameter("opt")] public int? Limit { get; set; }
        [PluginParameter("f")] public float Scale { get; set; } = 1.5f;
        public int NotAParameter { get; set; }
        public Ranking Rank(RankingRequest request, IPluginContext context) => throw new NotSupportedException();
    }

    public sealed class BadType : IRankingMethod
    {
        public PluginInfo Info { get; } = new("bad", PluginKind.Ranking, "test", new Version(1, 0));
        [PluginParameter("x")] public DateTime When { get; set; }
        public Ranking Rank(RankingRequest request, IPluginContext context) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData("Seed", "seed")]
    [InlineData("MaxNeurons", "max-neurons")]
    [InlineData("L1Lambda", "l1-lambda")]
    [InlineData("HTMLReport", "html-report")]
    [InlineData("TopK", "top-k")]
    [InlineData("already-kebab", "already-kebab")]
    public void Kebab_case(string name, string expected) => Assert.Equal(expected, PluginParameters.ToKebabCase(name));

    [Fact]
    public void Describe_reads_names_types_defaults_and_descriptions_in_order()
    {
        var ps = PluginParameters.Describe(typeof(Sample));
        Assert.Equal(["max-neurons", "l1-lambda", "balanced", "order", "ks", "alphas", "label", "limit", "scale"], ps.Select(p => p.Name));
        Assert.Equal(["integer", "number", "true/false", "one of top-down|bottom-up", "integer list", "number list", "text", "integer (optional)", "number"],
            ps.Select(p => p.TypeName));
        Assert.Equal(["400", "0.001", "false", "bottom-up", "1,10,100", "0.5,2", "upos", "", "1.5"], ps.Select(p => p.DefaultText));
        Assert.Equal("l1", ps[1].Description);
        Assert.Equal(["top-down", "bottom-up"], ps[3].Choices);
    }

    [Fact]
    public void Apply_parses_typed_values_by_kebab_or_property_name()
    {
        var s = new Sample();
        PluginParameters.Apply("sample", s, PluginParameters.Describe(typeof(Sample)), new Dictionary<string, string>
        {
            ["max-neurons"] = "12", ["L1Lambda"] = "1e-2", ["balanced"] = "yes", ["order"] = "top-down",
            ["ks"] = "5, 6", ["alphas"] = "-1.5,3", ["label"] = "xpos", ["limit"] = "7", ["scale"] = "0.25",
        });
        Assert.Equal(12, s.MaxNeurons);
        Assert.Equal(0.01, s.L1Lambda);
        Assert.True(s.Balanced);
        Assert.Equal(Direction.TopDown, s.Order);
        Assert.Equal([5, 6], s.Ks);
        Assert.Equal([-1.5, 3], s.Alphas);
        Assert.Equal("xpos", s.Label);
        Assert.Equal(7, s.Limit);
        Assert.Equal(0.25f, s.Scale);
    }

    [Theory]
    [InlineData("max-neurons", "abc", "plugin 'sample' parameter 'max-neurons': 'abc' is not an integer")]
    [InlineData("max-neurons", "1.5", "plugin 'sample' parameter 'max-neurons': '1.5' is not an integer")]
    [InlineData("l1-lambda", "0,1", "plugin 'sample' parameter 'l1-lambda': '0,1' is not a number")]
    [InlineData("balanced", "maybe", "plugin 'sample' parameter 'balanced': 'maybe' is not true or false")]
    [InlineData("order", "sideways", "plugin 'sample' parameter 'order': 'sideways' is not one of top-down, bottom-up")]
    [InlineData("ks", "1,x", "plugin 'sample' parameter 'ks': '1,x' is not a comma-separated list of integers")]
    [InlineData("colour", "red", "plugin 'sample' has no parameter 'colour' (its parameters: max-neurons, l1-lambda, balanced, order, ks, alphas, label, limit, scale)")]
    public void Bad_values_name_plugin_parameter_and_value(string key, string value, string message)
    {
        var e = Assert.Throws<PluginException>(() =>
            PluginParameters.Apply("sample", new Sample(), PluginParameters.Describe(typeof(Sample)), new Dictionary<string, string> { [key] = value }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Unsupported_parameter_type_is_named()
    {
        var e = Assert.Throws<PluginException>(() => PluginParameters.Describe(typeof(BadType), pluginName: "bad"));
        Assert.Equal("plugin 'bad' parameter 'when': type DateTime is not supported (use int, long, double, float, bool, string, an enum, int[] or double[])", e.Message);
    }
}
