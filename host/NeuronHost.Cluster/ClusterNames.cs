using NeuronHost.Sdk;

namespace NeuronHost.Cluster;

/// <summary>Names every silo and client of a NeuronHost cluster agrees on.</summary>
public static class ClusterNames
{
    /// <summary>The grain storage (Redis) that holds the coordinator's and the board's state.</summary>
    public const string Storage = "neuronhost";
    public const string ClusterId = "neuronhost";
    public const string ServiceId = "neuronhost";

    /// <summary>"NeuronHost 0.1.0, SDK 1.3": what silos and coordinator compare. Set by the
    /// executable at start (the CLI owns the product version).</summary>
    public static string Version { get; set; } = $"NeuronHost ?, SDK {SdkVersion.Major}.{SdkVersion.Minor}";

    public static string MakeVersion(string neuronHostVersion) => $"NeuronHost {neuronHostVersion}, SDK {SdkVersion.Major}.{SdkVersion.Minor}";
}
