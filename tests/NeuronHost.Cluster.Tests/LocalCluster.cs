using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NeuronHost.Tests.Common;

namespace NeuronHost.Cluster.Tests;

/// <summary>A cluster on this machine as it would be on real hosts: a redis-server on a free
/// port and silo processes of the real executable on 127.0.0.1, each with its own ports and
/// row folder. Disposing kills them all (the silos with SIGKILL: nothing of theirs must be needed).</summary>
internal sealed class LocalCluster : IDisposable
{
    private readonly Process redis;
    private readonly Dictionary<string, (Process Process, StringBuilder Log)> silos = [];
    private readonly Dictionary<string, (int Port, int Gateway, string[] Extra)> endpoints = [];
    public string Folder { get; }
    public int RedisPort { get; }
    public string Address => $"redis://127.0.0.1:{RedisPort}";

    public static string Exe
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            string exe = Path.Combine(SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
            Assert.True(File.Exists(exe), $"{exe} is not built");
            return exe;
        }
    }

    public LocalCluster(string folder)
    {
        Folder = folder;
        RedisPort = FreePort();
        redis = Process.Start(new ProcessStartInfo(RedisFactAttribute.RedisServer!,
            ["--port", RedisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        redis.BeginOutputReadLine(); redis.BeginErrorReadLine();
        for (int i = 0; i < 50; i++)
        {
            try { using var c = new TcpClient("127.0.0.1", RedisPort); return; }
            catch (SocketException) { Thread.Sleep(100); }
        }
        throw new InvalidOperationException($"redis-server did not start on port {RedisPort}");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Starts silo <paramref name="name"/> and waits for its "ready" line.</summary>
    public Task StartSilo(string name, params string[] extra) => Start(name, FreePort(), FreePort(), extra, new StringBuilder());

    /// <summary>Starts silo <paramref name="name"/> so that it keeps its <paramref name="shard"/>th
    /// shard (from 1) without sending it, and says so in its log (<see cref="HoldingLine"/>): killed
    /// then, it surely dies holding a shard. A <see cref="Restart"/> of it does not hold.</summary>
    public Task StartSiloThatHolds(string name, int shard) => Start(name, FreePort(), FreePort(), [], new StringBuilder(), ["--hold-shard", shard.ToString()]);

    /// <summary>Starts a silo that never answers the Nth message of a ranking over its held rows,
    /// and says so in its log (<see cref="HoldingMessageLine"/>): killed then, it surely dies mid-ranking.</summary>
    public Task StartSiloThatHoldsMessage(string name, int message) => Start(name, FreePort(), FreePort(), [], new StringBuilder(), ["--hold-held-message", message.ToString()]);

    /// <summary>The start of the line a silo started by <see cref="StartSiloThatHoldsMessage"/> writes when it holds its message.</summary>
    public static string HoldingMessageLine(string name) => $"silo {name}: holding held-rows message ";

    /// <summary>The start of the line a silo started by <see cref="StartSiloThatHolds"/> writes when it holds its shard.</summary>
    public static string HoldingLine(string name) => $"silo {name}: holding shard ";

    /// <summary>Starts silo <paramref name="name"/> again after it was killed: the same name, ports
    /// and row folder, as a host's service manager would restart it; its log goes on in the same log.</summary>
    public Task Restart(string name)
    {
        var (port, gateway, extra) = endpoints[name];
        var (old, log) = silos[name];
        old.WaitForExit(10_000);
        lock (log) log.AppendLine($"--- silo {name} restarted");
        return Start(name, port, gateway, extra, log);
    }

    private async Task Start(string name, int port, int gateway, string[] extra, StringBuilder log, string[]? fault = null)
    {
        endpoints[name] = (port, gateway, extra);
        var psi = new ProcessStartInfo(Exe, ["cluster", "silo", "--redis", $"127.0.0.1:{RedisPort}", "--port", port.ToString(),
            "--gateway-port", gateway.ToString(), "--name", name, "--store-dir", Path.Combine(Folder, "silo-" + name), .. extra, .. fault ?? []])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        Environment(psi, Path.Combine(Folder, "silo-stores"));
        var ready = new TaskCompletionSource();
        var p = new Process { StartInfo = psi };
        p.ErrorDataReceived += (_, e) => { if (e.Data is null) return; lock (log) log.AppendLine(e.Data); if (e.Data.StartsWith($"silo {name} ready")) ready.TrySetResult(); };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        p.Start();
        p.BeginErrorReadLine(); p.BeginOutputReadLine();
        if (silos.TryGetValue(name, out var previous)) previous.Process.Dispose();
        silos[name] = (p, log);
        var exited = p.WaitForExitAsync();
        if (await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromMinutes(2))) != ready.Task)
            throw new InvalidOperationException($"silo {name} did not start:\n{Log(name)}");
    }

    public string Log(string name) { var (_, log) = silos[name]; lock (log) return log.ToString(); }

    public string Logs() => string.Join("\n", silos.Keys.Select(n => $"--- silo {n}\n{Log(n)}"));

    /// <summary>kill -9.</summary>
    public void Kill(string name) => silos[name].Process.Kill();

    /// <summary>Returns once silo <paramref name="name"/>'s log contains <paramref name="line"/> (a failpoint's holding line, say).</summary>
    public async Task WaitForLine(string name, string line)
    {
        while (!Log(name).Contains(line)) await Task.Delay(50);
    }

    /// <summary>Kills silo <paramref name="name"/> (kill -9) as soon as its log contains <paramref name="line"/>.</summary>
    public async Task KillOnLine(string name, string line)
    {
        await WaitForLine(name, line);
        Kill(name);
    }

    public static void Environment(ProcessStartInfo psi, string stores)
    {
        psi.Environment["NEURONHOST_STORES"] = stores;
        psi.Environment["NEURONHOST_CONFIG"] = "/nonexistent/neuronhost-config.json";
        psi.Environment.Remove("NEURONHOST_PLUGINS");
    }

    public void Dispose()
    {
        foreach (var (p, _) in silos.Values) { try { if (!p.HasExited) p.Kill(); p.WaitForExit(5000); } catch (InvalidOperationException) { } p.Dispose(); }
        try { if (!redis.HasExited) redis.Kill(); redis.WaitForExit(5000); } catch (InvalidOperationException) { }
        redis.Dispose();
    }
}

/// <summary>A test that needs redis-server (Debian package redis-server; .ci/run installs it): skipped with that reason where it is absent.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public static string? RedisServer { get; } =
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server" }.FirstOrDefault(File.Exists);

    public RedisFactAttribute()
    {
        if (!SharedAssets.Available && !SharedAssets.Required) Skip = SharedAssets.SkipReason;
        else if (RedisServer is null && !SharedAssets.Required) Skip = "needs redis-server (apt-get install redis-server) for the cluster's membership; not installed here";
    }
}
