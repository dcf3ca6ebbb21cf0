using NeuronHost.Sdk;

namespace NeuronHost.Host.Tests.Config;

public enum Ordering { WeightMass, MeanAbs }

public sealed class FakeLinearRanking : IRankingMethod
{
    public PluginInfo Info => new("linear", PluginKind.Ranking, "elastic-net weights", new Version(1, 0));
    [PluginParameter("L1 penalty")] public double L1 { get; set; } = 1e-3;
    [PluginParameter("epochs")] public int Epochs { get; set; } = 10;
    [PluginParameter("ordering")] public Ordering Ordering { get; set; } = Ordering.MeanAbs;
    [PluginParameter("fractions")] public double[] Fractions { get; set; } = [0.1, 0.5];
    public Ranking Rank(RankingRequest request, IPluginContext context) => throw new NotSupportedException();
}

public sealed class FakeProbe : IProbe
{
    public PluginInfo Info => new("linear-probe", PluginKind.Probe, "logistic regression probe", new Version(1, 0));
    [PluginParameter("normalise inputs")] public bool Normalize { get; set; } = true;
    public ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context) => throw new NotSupportedException();
}

public static class FakeDirectory
{
    public static NeuronHost.Core.Config.PluginDirectory Create() =>
        NeuronHost.Core.Config.PluginDirectory.FromInstances([new FakeLinearRanking(), new FakeProbe()]);
}
