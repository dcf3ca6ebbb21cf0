using NeuronHost.Cluster.Contracts;
using NeuronHost.Cluster.Grains;

namespace NeuronHost.Cluster.Tests;

/// <summary>When the silos keep the rows, each silo gets runs of consecutive shards, so that a
/// ranking over held rows lends rows between silos only at the few places where runs meet.</summary>
public sealed class ContiguousShardChoiceTests
{
    [Fact]
    public void Three_silos_asking_in_turn_split_197_shards_into_a_few_runs_each()
    {
        var shards = Enumerable.Range(0, 197).Select(i => new ShardState { Spec = new ShardSpec { Index = i } }).ToList();
        string[] silos = ["a", "b", "c"];
        var rng = new Random(3);
        // the silos ask in random order; a shard is done by the time its silo asks again
        while (shards.Any(x => x.Status == ShardStatus.Pending))
        {
            string silo = silos[rng.Next(3)];
            foreach (var x in shards.Where(x => x.Incarnation == silo && x.Status == ShardStatus.Running)) x.Status = ShardStatus.Done;
            var next = ContiguousShardChoice.Next(shards, silo);
            Assert.NotNull(next);
            next.Status = ShardStatus.Running; next.Incarnation = silo;
        }
        Assert.Null(ContiguousShardChoice.Next(shards, "a"));
        int runs = 1 + Enumerable.Range(1, 196).Count(i => shards[i].Incarnation != shards[i - 1].Incarnation);
        Assert.True(runs <= 12, $"{runs} runs of one silo's shards");
        Assert.All(silos, s => Assert.Contains(shards, x => x.Incarnation == s));
    }

    [Fact]
    public void A_silo_continues_after_its_last_shard_and_a_newcomer_takes_the_middle_of_the_longest_pending_run()
    {
        var shards = Enumerable.Range(0, 10).Select(i => new ShardState { Spec = new ShardSpec { Index = i } }).ToList();
        ShardState Take(string silo) { var x = ContiguousShardChoice.Next(shards, silo)!; x.Status = ShardStatus.Running; x.Incarnation = silo; return x; }
        Assert.Equal(0, Take("a").Spec.Index);          // nobody works before shard 0: start there
        Assert.Equal(5, Take("b").Spec.Index);          // [1, 10) is worked up to by a: its middle
        shards[0].Status = ShardStatus.Done;
        Assert.Equal(1, Take("a").Spec.Index);          // a goes on
        shards[5].Status = ShardStatus.Done;
        Assert.Equal(6, Take("b").Spec.Index);
        Assert.Equal(3, Take("c").Spec.Index);          // [2, 5) worked up to by a: its middle
    }
}
