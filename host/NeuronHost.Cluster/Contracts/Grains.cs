namespace NeuronHost.Cluster.Contracts;

/// <summary>One run's extraction (key: the job id): hands shards to silos that ask, takes
/// shards back from silos that left the cluster, and records what happened. Its state is
/// persisted (Redis grain storage), so it survives the death of the silo it lives on.</summary>
public interface IExtractionCoordinator : IGrainWithStringKey
{
    Task Start(ClusterJobSpec spec, List<ShardSpec> shards);
    /// <summary>The next pending shard for silo <paramref name="silo"/> (Orleans address
    /// <paramref name="incarnation"/>), or null (none now, or the job is over).</summary>
    Task<ShardAssignment?> Next(string silo, string incarnation);
    Task Done(string silo, string incarnation, int shard, long bytes, double seconds);
    /// <summary>Batches of a running shard extracted so far (kept in memory only: a hint for progress lines).</summary>
    [Orleans.Concurrency.OneWay]
    Task Progress(string silo, int shard, int batchesDone);
    /// <summary>A silo cannot do the job (model folder missing, another version…): the run stops with this line.</summary>
    Task Fail(string silo, string message);
    /// <summary>The coordinator client's poll: registers where rows go (again after a reactivation),
    /// marks done the shards whose rows arrived (a silo's own Done may have been lost with the
    /// coordinator's silo), takes back the shards of dead silos, and returns the state.</summary>
    Task<CoordinatorState> Poll(IShardSink sink, List<ShardReceipt> received);
    Task<CoordinatorState> Peek();
    Task Close();
}

/// <summary>The cluster's notice board (key 0): the silos that joined, with their versions, and the runs in progress.</summary>
public interface IClusterBoard : IGrainWithIntegerKey
{
    Task Join(SiloInfo silo);
    Task<List<SiloInfo>> Silos();
    Task AddJob(string jobId);
    Task RemoveJob(string jobId);
    Task<List<string>> Jobs();
}

/// <summary>The coordinator client's receiver of shard rows (an Orleans observer).</summary>
public interface IShardSink : IGrainObserver
{
    /// <summary>Bytes [offset, offset + data.Length) of shard <paramref name="shard"/>'s rows (float32, row-major), from <paramref name="silo"/>.</summary>
    Task Receive(string jobId, int shard, string silo, string incarnation, long offset, byte[] data, bool last);
    /// <summary>The class (0..C−1) of each of the shard's rows that is a train token of the run's task, −1 for the others.</summary>
    Task<int[]> TrainLabels(string jobId, int shard);
    /// <summary>The shard's per-class moments over its train rows, computed on the silo.</summary>
    Task ReceiveMoments(string jobId, int shard, string silo, string incarnation, ShardMoments moments);
}
