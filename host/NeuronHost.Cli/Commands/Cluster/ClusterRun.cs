using NeuronHost.Cluster;
using NeuronHost.Cluster.Client;

namespace NeuronHost.Cli.Commands.Cluster;

/// <summary>The cluster side of <c>run --cluster</c>: connected and version-checked before the
/// pipeline starts (a bad address or a silo of another version stops the run before any work),
/// and the extraction stage that replaces the local one.</summary>
internal sealed class ClusterRun : IDisposable
{
    private readonly ClusterConnection connection;
    public ClusterExtractStage Stage { get; }

    private ClusterRun(ClusterConnection connection, int shardBatches)
    {
        this.connection = connection;
        Stage = new ClusterExtractStage(connection, shardBatches);
    }

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
