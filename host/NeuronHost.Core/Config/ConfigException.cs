namespace NeuronHost.Core.Config;

/// <summary>A bad analysis config: the message is one line naming the file, line and key.</summary>
public sealed class ConfigException(string message) : Exception(message);
