using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuronHost.Cluster.Contracts;
using Orleans.Configuration;
using Orleans.Runtime;

namespace NeuronHost.Cluster.Client;

/// <summary>A silo as the cluster sees it: its announcement and whether membership lists it as active.</summary>
public sealed record SiloView(string Name, string Version, string Endpoint, string StoreDir, bool Active);

/// <summary>An Orleans client of a NeuronHost cluster (the coordinator side of <c>run --cluster</c>
/// and <c>cluster status</c>).</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private readonly IHost host;
    public ClusterAddress Address { get; }
    public IClusterClient Client { get; }

    private ClusterConnection(ClusterAddress address, IHost host)
    {
        Address = address; this.host = host;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>Connects through the Redis at <paramref name="address"/>. No Redis there, or no
    /// silo answering: <see cref="ClusterException"/> with one line saying which. A silo that
    /// was just killed is still listed as a gateway until membership declares it dead, and a
    /// connection that picked it hangs; each attempt is cut after <see cref="ConnectAttempt"/>
    /// and made again (with the gateway list read anew) until <see cref="ConnectOverall"/>.</summary>
    public static async Task<ClusterConnection> Connect(ClusterAddress address, CancellationToken cancellation = default)
    {
        await address.EnsureReachable();
        var deadline = DateTime.UtcNow + ConnectOverall;
        while (true)
        {
            var host = Build(address);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(ConnectAttempt);
                await host.StartAsync(timeout.Token);
                return new ClusterConnection(address, host);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                host.Dispose();
                if (DateTime.UtcNow + TimeSpan.FromSeconds(1) >= deadline)
                    throw new ClusterException($"no NeuronHost silo answers in the cluster at {address} (tried for {ConnectOverall.TotalSeconds:0} s): {ClusterAddress.FirstLine(e.Message)} (start one with 'neuronhost cluster silo --redis {address.Host}:{address.Port}')", e);
                await Task.Delay(1000, cancellation);
            }
        }
    }

    /// <summary>How long one connection attempt may take, and all of them together.</summary>
    public static readonly TimeSpan ConnectAttempt = TimeSpan.FromSeconds(12), ConnectOverall = TimeSpan.FromSeconds(45);

    private static IHost Build(ClusterAddress address)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = address.Options());
            client.Configure<ClusterOptions>(o => { o.ClusterId = ClusterNames.ClusterId; o.ServiceId = ClusterNames.ServiceId; });
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        });
        return builder.Build();
    }

    /// <summary>The silos that announced themselves, active or gone.</summary>
    public async Task<List<SiloView>> Silos()
    {
        var hosts = await Client.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        var active = hosts.Select(h => h.SiloName).ToHashSet();
        var announced = await Client.GetGrain<IClusterBoard>(0).Silos();
        var views = announced.Select(s => new SiloView(s.Name, s.Version, s.Endpoint, s.StoreDir, active.Contains(s.Name))).ToList();
        // Active in membership but not (yet) on the board: a silo that is still starting, or not a NeuronHost silo of this version.
        foreach (var name in active.Where(n => announced.All(s => s.Name != n)))
            views.Add(new SiloView(name, "", "", "", true));
        return views;
    }

    /// <summary>Every active silo runs this coordinator's NeuronHost and SDK version; otherwise one line naming the silo.</summary>
    public async Task<List<SiloView>> EnsureCompatibleSilos(CancellationToken cancellation = default)
    {
        List<SiloView> active = [];
        for (int attempt = 0; attempt < 20; attempt++)
        {
            active = (await Silos()).Where(s => s.Active).ToList();
            if (active.Count > 0 && active.All(s => s.Version.Length > 0)) break;
            await Task.Delay(500, cancellation);   // a silo that just started announces itself a moment later
        }
        if (active.Count == 0) throw new ClusterException($"no NeuronHost silo is active in the cluster at {Address}");
        foreach (var s in active)
        {
            if (s.Version.Length == 0) throw new ClusterException($"silo {s.Name} in the cluster at {Address} never announced a NeuronHost version (not a NeuronHost silo, or still starting)");
            if (s.Version != ClusterNames.Version)
                throw new ClusterException($"silo {s.Name} runs {s.Version}, this coordinator {ClusterNames.Version}: run the same NeuronHost on every host");
        }
        return active;
    }

    /// <summary>One grain call, asked again until it answers: a grain whose silo was just killed
    /// hangs its callers until membership declares that silo dead (15–20 s) and the grain is
    /// activated elsewhere. Each attempt gets <paramref name="perAttempt"/>; after
    /// <paramref name="overall"/> a <see cref="ClusterException"/> names <paramref name="what"/>.</summary>
    public static async Task<T> Ask<T>(Func<Task<T>> call, string what, TimeSpan perAttempt, TimeSpan overall, CancellationToken cancellation = default)
    {
        var deadline = DateTime.UtcNow + overall;
        Exception? last = null;
        while (true)
        {
            try { return await call().WaitAsync(perAttempt, cancellation); }
            catch (Exception e) when (e is TimeoutException or OrleansException or SiloUnavailableException && !cancellation.IsCancellationRequested)
            {
                last = e;
            }
            if (DateTime.UtcNow >= deadline)
                throw new ClusterException($"{what} did not answer within {overall.TotalSeconds:0} s: {ClusterAddress.FirstLine(last.Message)}", last);
            await Task.Delay(500, cancellation);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await host.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
        host.Dispose();
    }
}
