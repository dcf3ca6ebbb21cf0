using NeuronHost.Cluster.Contracts;

namespace NeuronHost.Cluster.Client;

/// <summary>One shard table of a running cluster extraction, as the coordinator client received
/// it (the same table the batch log's "shards by silo" lines come from), for a live display.
/// <paramref name="UnansweredSinceUtc"/> is set while the coordinator grain does not answer: the
/// table is then the last one it gave.</summary>
public sealed record ClusterProgress(string Redis, string JobId, CoordinatorState State, DateTime? UnansweredSinceUtc);
