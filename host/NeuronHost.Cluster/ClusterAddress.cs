using StackExchange.Redis;

namespace NeuronHost.Cluster;

/// <summary>A problem with the cluster, said in one line that names the silo or the address.</summary>
public sealed class ClusterException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The Redis server that holds the cluster's membership table and grain state:
/// <c>HOST:PORT</c> or <c>redis://HOST:PORT</c>.</summary>
public sealed record ClusterAddress(string Host, int Port)
{
    public override string ToString() => $"redis://{Host}:{Port}";

    public static ClusterAddress Parse(string text)
    {
        string t = text.Trim();
        if (t.StartsWith("redis://", StringComparison.OrdinalIgnoreCase)) t = t["redis://".Length..];
        t = t.TrimEnd('/');
        int colon = t.LastIndexOf(':');
        string host = colon < 0 ? t : t[..colon];
        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c == '/' || c == ','))
            throw new ClusterException($"'{text}' is not a Redis address: give HOST:PORT or redis://HOST:PORT");
        int port = 6379;
        if (colon >= 0 && (!int.TryParse(t[(colon + 1)..], out port) || port is < 1 or > 65535))
            throw new ClusterException($"'{text}' is not a Redis address: the port must be 1–65535");
        return new ClusterAddress(host, port);
    }

    /// <summary>StackExchange.Redis options for this address (fail fast when nothing answers).</summary>
    public ConfigurationOptions Options()
    {
        // Generous: on a loaded host a handshake can take seconds; a refused connection still fails at once.
        var o = new ConfigurationOptions { AbortOnConnectFail = true, ConnectTimeout = 15000, ConnectRetry = 3 };
        o.EndPoints.Add(Host, Port);
        return o;
    }

    /// <summary>Checks that a Redis server answers PING here; otherwise one line naming the address.</summary>
    public async Task EnsureReachable()
    {
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(Options());
            await redis.GetDatabase().PingAsync();
        }
        catch (Exception e) when (e is RedisException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new ClusterException($"no Redis at {this}: {FirstLine(e.Message)} (start redis-server there, or give the right HOST:PORT)", e);
        }
    }

    internal static string FirstLine(string message) =>
        message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "";
}
