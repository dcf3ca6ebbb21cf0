namespace NeuronHost.Sdk;

public enum PluginKind { Ranking, Probe, Intervention }

/// <summary>What a plugin says about itself. Names are unique across all loaded plugins.</summary>
public sealed record PluginInfo(string Name, PluginKind Kind, string Description, Version Version);

/// <summary>Every plugin: a public class with a public parameterless constructor. Its settable
/// public properties marked <see cref="PluginParameterAttribute"/> are its typed parameters;
/// the host creates one instance per use and sets them before calling it.</summary>
public interface IPlugin
{
    PluginInfo Info { get; }
}

/// <summary>Activations + labels → neurons ordered best first, with scores.</summary>
public interface IRankingMethod : IPlugin
{
    Ranking Rank(RankingRequest request, IPluginContext context);
}

/// <summary>Activations of a neuron subset + labels → a trained classifier.</summary>
public interface IProbe : IPlugin
{
    /// <param name="data">the task; its matrices hold every neuron, not only <paramref name="columns"/></param>
    /// <param name="columns">columns of <see cref="ProbingData"/> the probe may look at (a
    /// ranking's top k, say); the returned probe must keep them and pick them out itself in
    /// <see cref="ITrainedProbe.Predict"/></param>
    /// <param name="context">kernels, progress, log, cancellation and seed</param>
    ITrainedProbe Train(ProbingData data, IReadOnlyList<int> columns, IPluginContext context);

    /// <summary>The most neurons this probe trains on in practical time (SDK 1.1). Hosts skip
    /// larger subsets — the all-neuron "oracle" included — and say so, rather than stall.</summary>
    int MaxNeurons => int.MaxValue;
}

/// <summary>A model session + neurons + data → a report of how the model's behaviour changed.</summary>
public interface IIntervention : IPlugin
{
    InterventionReport Run(InterventionRequest request, IPluginContext context);
}

/// <summary>Marks a plugin property as a user-settable parameter. Supported types: int, long,
/// double, float, bool, string, enums, and int[]/double[] written as comma lists.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PluginParameterAttribute(string description) : Attribute
{
    public string Description { get; } = description;
    /// <summary>The smallest value the host accepts (numbers, and each element of a number list); NaN: no bound.</summary>
    public double Min { get; set; } = double.NaN;
    /// <summary>The largest value the host accepts; NaN: no bound.</summary>
    public double Max { get; set; } = double.NaN;
}

/// <summary>Thrown by a plugin for input it cannot work with (one class, k too large, NaN…).
/// The host shows the message with the plugin's name, without a stack trace.</summary>
public sealed class PluginInputException(string message) : Exception(message);
