using NeuronHost.Cluster;
using NeuronHost.Cluster.Client;
using NeuronHost.Core.Config;

namespace NeuronHost.Cli.Commands.Cluster;

/// <summary>The cluster side of <c>run --cluster</c>: connected and version-checked before the
/// pipeline starts (a bad address or a silo of another version stops the run before any work),
/// and the extraction stage that replaces the local one.</summary>
public sealed class ClusterRun : IDisposable
{
    private readonly ClusterConnection connection;
    public ClusterExtractStage Stage { get; }
    /// <summary>Batches of 16 sentences per shard when neither --shard-batches nor anything else says.</summary>
    public const int DefaultShardBatches = 4;

    private ClusterRun(ClusterConnection connection, int shardBatches)
    {
        this.connection = connection;
        Stage = new ClusterExtractStage(connection, shardBatches);
    }

    /// <summary>Where a run extracts: <c>--cluster</c> when given, else the config's <c>cluster:</c>
    /// (its syntax checked here, a mistake named with the file and line); null: this machine.</summary>
    public static string? AddressFor(AnalysisConfig config, string? commandLine)
    {
        if (!string.IsNullOrWhiteSpace(commandLine)) return commandLine;
        if (string.IsNullOrWhiteSpace(config.Cluster)) return null;
        try { ClusterAddress.Parse(config.Cluster); }
        catch (ClusterException e) { throw new CliException($"{config.Source?.Where("cluster") ?? "cluster"}: {e.Message}", e); }
        return config.Cluster;
    }

    /// <summary>Batches per shard: <c>--shard-batches</c> when given, else the config's
    /// <c>shard-batches:</c>, else <see cref="DefaultShardBatches"/>.</summary>
    public static int ShardBatchesFor(AnalysisConfig config, int? commandLine) =>
        commandLine ?? config.ShardBatches ?? DefaultShardBatches;

    public static ClusterRun Connect(string address, int shardBatches)
    {
        if (shardBatches < 1) throw new CliException("--shard-batches must be at least 1");
        ClusterNames.Version = ClusterNames.MakeVersion(CliApp.Version);
        var parsed = ClusterCommand.Parse(address);
        ClusterConnection? connection = null;
        try
        {
            connection = ClusterConnection.Connect(parsed).GetAwaiter().GetResult();
            connection.EnsureCompatibleSilos().GetAwaiter().GetResult();
            return new ClusterRun(connection, shardBatches);
        }
        catch (ClusterException e)
        {
            connection?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new CliException(e.Message, e);
        }
    }

    public void Dispose() => connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
