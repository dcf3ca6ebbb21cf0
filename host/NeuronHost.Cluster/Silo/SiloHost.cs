using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace NeuronHost.Cluster.Silo;

/// <summary>Starts one NeuronHost silo: Orleans with Redis membership (silos find each other the
/// way they would on separate hosts) and Redis grain storage for the coordinator's state, plus the
/// <see cref="ShardWorker"/>. Runs until the token is cancelled (Ctrl+C) or the process is killed.</summary>
public static class SiloHost
{
    public static async Task RunAsync(SiloSettings settings, CancellationToken stop)
    {
        await settings.Redis.EnsureReachable();
        Directory.CreateDirectory(settings.StoreDir);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter((_, level) => level >= LogLevel.Error);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<HeldShards>();
        builder.Services.AddHostedService<ShardWorker>();
        builder.UseOrleans(silo =>
        {
            silo.UseRedisClustering(o => o.ConfigurationOptions = settings.Redis.Options());
            silo.AddRedisGrainStorage(ClusterNames.Storage, o => o.ConfigurationOptions = settings.Redis.Options());
            silo.Configure<ClusterOptions>(o => { o.ClusterId = ClusterNames.ClusterId; o.ServiceId = ClusterNames.ServiceId; });
            silo.Configure<SiloOptions>(o => o.SiloName = settings.Name);
            silo.AddPlacementDirector<RowHolderPlacement, RowHolderPlacementDirector>();
            silo.ConfigureEndpoints(settings.Advertised, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
            // Orleans' own probe settings (5 s probes, 3 missed, 2 votes): a killed silo is declared
            // dead in about 15–20 s. Shorter probes (2 s × 2) declared joining silos dead on this
            // 2-core machine at load average 85–126, before they could answer.
            silo.Configure<ClusterMembershipOptions>(o => o.TableRefreshTimeout = TimeSpan.FromSeconds(5));
        });
        using var host = builder.Build();
        await host.RunAsync(stop);
    }
}
