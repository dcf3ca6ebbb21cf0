namespace NeuronHost.Core.Config;

/// <summary>A bad analysis config: the message is one line naming the file, line and key, or,
/// when several problems were found at once, all of them in one line separated by " | ".</summary>
public sealed class ConfigException(string message) : Exception(message)
{
    public IReadOnlyList<string> Problems { get; private init; } = [message];

    /// <summary>When parsing found problems: the config as far as it could be read, so the
    /// validator's problems can be reported in the same message.</summary>
    public AnalysisConfig? Partial { get; private init; }

    public static ConfigException Of(IReadOnlyList<string> problems, AnalysisConfig? partial = null) => problems.Count == 1
        ? new ConfigException(problems[0]) { Partial = partial }
        : new ConfigException($"{problems.Count} problems: {string.Join(" | ", problems)}") { Problems = problems, Partial = partial };
}
