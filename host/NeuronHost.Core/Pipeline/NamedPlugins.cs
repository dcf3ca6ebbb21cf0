using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>A ranking under the name the config gave it (one plugin may be used twice with
/// different parameters: "linear" and "linear-pitfalls").</summary>
internal sealed class NamedRanking(IRankingMethod inner, string name) : IRankingMethod
{
    public PluginInfo Info => inner.Info with { Name = name };

    public Ranking Rank(RankingRequest request, IPluginContext context) => inner.Rank(request, context) with { Method = name };
}

internal sealed class NamedProbe(IProbe inner, string name) : IProbe
{
    public PluginInfo Info => inner.Info with { Name = name };

    public ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context) => inner.Train(data, columns, context);

    public int MaxNeurons => inner.MaxNeurons;
}
