using NeuronHost.Cluster.Client;
using NeuronHost.Cluster.Contracts;

namespace NeuronHost.Cluster.Tests;

/// <summary>The per-silo line of the batch log and `cluster status`, from a shard table written by hand.</summary>
public sealed class SiloShareTests
{
    private static ShardState Shard(int index, string status, string silo, int batchesDone = 0) => new()
    {
        Spec = new ShardSpec { Index = index, FirstBatch = index * 4, EndBatch = index * 4 + 4 },
        Status = status, Silo = silo, BatchesDone = batchesDone,
    };

    [Fact]
    public void Names_every_silo_with_shards_done_of_given_its_running_batches_and_whether_it_was_lost()
    {
        var state = new CoordinatorState
        {
            Shards =
            [
                Shard(0, ShardStatus.Done, "b"), Shard(1, ShardStatus.Done, "a"), Shard(2, ShardStatus.Running, "a", 1),
                Shard(3, ShardStatus.Pending, ""), Shard(4, ShardStatus.Done, "victim"), Shard(5, ShardStatus.Done, "solo"),
            ],
            LostSilos = ["victim", "gone", "solo"],
            // solo asked for work from two processes: it was killed and came back.
            Incarnations = [new() { Name = "gone" }, new() { Name = "b" }, new() { Name = "idle" }, new() { Name = "solo", Address = "1" }, new() { Name = "solo", Address = "2" }],
        };
        Assert.Equal("4/6 shards done; a 1/2 (shard 2: 1/4 batches), b 1/1, gone 0/0 (lost), idle 0/0, solo 1/1 (restarted), victim 1/1 (lost)", SiloShare.Line(state));
    }
}
