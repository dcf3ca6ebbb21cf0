using NeuronHost.Cli.Tui.Models;
using NeuronHost.Cluster.Client;
using NeuronHost.Cluster.Contracts;

namespace NeuronHost.Host.Tests.Tui;

/// <summary>The Run view's cluster panel from a shard table written by hand: per silo its shards
/// done/given and running batches, lost silos, reassigned shards, and when the coordinator moved.</summary>
public sealed class ClusterPanelTests
{
    private static ShardState Shard(int index, string status, string silo, int batchesDone = 0) => new()
    {
        Spec = new ShardSpec { Index = index, FirstBatch = index * 4, EndBatch = index * 4 + 4 },
        Status = status, Silo = silo, BatchesDone = batchesDone,
    };

    private static CoordinatorState Table(params string[] hosts) => new()
    {
        Shards =
        [
            Shard(0, ShardStatus.Done, "b"), Shard(1, ShardStatus.Done, "a"), Shard(2, ShardStatus.Running, "a", 1),
            Shard(3, ShardStatus.Pending, ""), Shard(4, ShardStatus.Done, "a"),
        ],
        LostSilos = ["victim"],
        Reassigned = [new Reassignment { Shard = 4, FromSilo = "victim", Reason = "silo left the cluster" }],
        Incarnations = [new() { Name = "victim" }, new() { Name = "a" }, new() { Name = "b" }],
        Hosts = [.. hosts],
    };

    [Fact]
    public void Lines_name_every_silo_the_lost_one_the_reassigned_shard_and_when_the_coordinator_moved()
    {
        var panel = new ClusterPanel();
        panel.Update(new ClusterProgress("redis://127.0.0.1:6390", "job", Table("victim"), null), new DateTime(2026, 12, 2, 14, 1, 0));
        Assert.Equal("coordinator on silo victim", panel.Lines[^1]);
        panel.Update(new ClusterProgress("redis://127.0.0.1:6390", "job", Table("victim", "a"), null), new DateTime(2026, 12, 2, 14, 2, 11));
        // Seen again later: the move is still dated when it was first seen.
        panel.Update(new ClusterProgress("redis://127.0.0.1:6390", "job", Table("victim", "a"), null), new DateTime(2026, 12, 2, 14, 3, 0));
        Assert.Equal("Cluster · redis://127.0.0.1:6390 · 3/5 shards done", panel.Title);
        Assert.Equal(
        [
            "a       2/3 shards done · running shard 2: 1/4 batches",
            "b       1/1 shards done",
            "victim  0/0 shards done · lost",
            "shard 4 taken back from victim (silo left the cluster), given to a",
            "coordinator on silo a since 14:02:11 (moved from victim, lost; its state came back from Redis)",
        ], panel.Lines);
    }

    [Fact]
    public void A_coordinator_activated_again_on_the_same_silo_is_not_said_to_have_moved_from_itself()
    {
        var panel = new ClusterPanel();
        panel.Update(new ClusterProgress("redis://h:1", "job", Table("a"), null), new DateTime(2026, 12, 3, 9, 0, 0));
        panel.Update(new ClusterProgress("redis://h:1", "job", Table("a", "a"), null), new DateTime(2026, 12, 3, 9, 0, 42));
        Assert.Equal("coordinator on silo a since 09:00:42 (activated again: its earlier activation was lost; its state came back from Redis)", panel.Lines[^1]);
    }

    [Fact]
    public void An_unanswering_coordinator_is_said_under_its_last_table()
    {
        var panel = new ClusterPanel();
        var since = new DateTime(2026, 12, 2, 14, 5, 7, DateTimeKind.Utc);
        panel.Update(new ClusterProgress("redis://h:1", "job", Table("a"), since), DateTime.Now);
        Assert.Equal($"the coordinator does not answer since {since.ToLocalTime():HH:mm:ss}: the table above is its last", panel.Lines[^1]);
        Assert.Equal("coordinator on silo a", panel.Lines[^2]);
    }

    [Fact]
    public void A_cluster_error_is_cut_to_its_first_sentence_and_hint()
    {
        // As `neuronhost run --cluster redis://127.0.0.1:1` says it (StackExchange.Redis 2.x's text).
        const string refused = "no Redis at redis://127.0.0.1:1: It was not possible to connect to the redis server(s). Error connecting right now. "
            + "To allow this multiplexer to continue retrying until it's able to connect, use abortConnect=false in your connection string or AbortOnConnectFail=false; in your code. "
            + "(start redis-server there, or give the right HOST:PORT)";
        Assert.Equal("no Redis at redis://127.0.0.1:1: It was not possible to connect to the redis server(s). (start redis-server there, or give the right HOST:PORT)",
            ClusterPanel.Brief(refused));
        const string version = "silo old runs NeuronHost 0.0.9, SDK 1.2, this coordinator NeuronHost 0.1.0, SDK 1.2: run the same NeuronHost on every host";
        Assert.Equal(version, ClusterPanel.Brief(version));
    }
}
