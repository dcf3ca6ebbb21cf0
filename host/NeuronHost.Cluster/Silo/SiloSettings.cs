using System.Net;

namespace NeuronHost.Cluster.Silo;

/// <summary>How one silo process runs: the Redis it joins through, the ports it listens on
/// (silo-to-silo and client gateway), the address other hosts reach it at, its name, and the
/// folder where it keeps the rows it extracts.</summary>
public sealed record SiloSettings
{
    public required ClusterAddress Redis { get; init; }
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    public IPAddress Advertised { get; init; } = IPAddress.Loopback;
    public required string Name { get; init; }
    public required string StoreDir { get; init; }
    /// <summary>Where this host keeps what the coordinator's paths name: (coordinator prefix, local
    /// prefix) pairs, for models and corpora mounted at other paths on other hosts.</summary>
    public IReadOnlyList<(string From, string To)> PathMap { get; init; } = [];
    /// <summary>Fault injection for tests (hidden option <c>--hold-shard</c>): the silo extracts its
    /// Nth shard (counted from 1 in this process) and then keeps it, sending nothing, as a hung host
    /// would, until it is stopped. 0: never.</summary>
    public int HoldShard { get; init; }
    /// <summary>Fault injection for tests (hidden option <c>--hold-held-message</c>): the silo takes
    /// the Nth message of a ranking over its held rows (counted from 1 in this process) and never
    /// answers it, as a host that hangs mid-ranking would, until it is stopped. 0: never.</summary>
    public int HoldHeldMessage { get; init; }

    /// <summary>The coordinator's path as found on this host.</summary>
    public string Local(string path)
    {
        foreach (var (from, to) in PathMap)
        {
            string f = from.TrimEnd('/');
            if (path == f || path.StartsWith(f + "/", StringComparison.Ordinal)) return to.TrimEnd('/') + path[f.Length..];
        }
        return path;
    }
}
