namespace NeuronHost.Core.Config;

/// <summary>A bad analysis config: the message is one line naming the file, line and key, or,
/// when several problems were found at once, all of them in one line separated by " | ".</summary>
public sealed class ConfigException(string message) : Exception(message)
{
    public IReadOnlyList<string> Problems { get; private init; } = [message];

    public static ConfigException Of(IReadOnlyList<string> problems) => problems.Count == 1
        ? new ConfigException(problems[0])
        : new ConfigException($"{problems.Count} problems: {string.Join(" | ", problems)}") { Problems = problems };
}
