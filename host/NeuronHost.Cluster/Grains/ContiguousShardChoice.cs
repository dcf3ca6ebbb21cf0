using NeuronHost.Cluster.Contracts;

namespace NeuronHost.Cluster.Grains;

/// <summary>Which pending shard a silo gets when the silos keep the rows: runs of consecutive
/// shards per silo, so that a ranking over held rows lends rows between silos only where one
/// silo's run ends and another's begins (each boundary costs up to one summation segment of rows).
/// A silo continues with the shard after its last one; otherwise it takes the middle of the
/// longest run of pending shards (its start when nobody works before it), splitting the remaining
/// work as evenly as the silos ask. Which silo does which shard never changes a result.</summary>
public static class ContiguousShardChoice
{
    public static ShardState? Next(IReadOnlyList<ShardState> shards, string incarnation)
    {
        var byIndex = shards.OrderBy(x => x.Spec.Index).ToList();
        int last = byIndex.FindLastIndex(x => x.Incarnation == incarnation && x.Status != ShardStatus.Pending);
        if (last >= 0 && last + 1 < byIndex.Count && byIndex[last + 1].Status == ShardStatus.Pending) return byIndex[last + 1];
        (int Start, int Length) best = (-1, 0);
        for (int i = 0; i < byIndex.Count;)
        {
            if (byIndex[i].Status != ShardStatus.Pending) { i++; continue; }
            int start = i;
            while (i < byIndex.Count && byIndex[i].Status == ShardStatus.Pending) i++;
            if (i - start > best.Length) best = (start, i - start);
        }
        if (best.Start < 0) return null;
        // a run that nobody works up to is started at its beginning; else split in half
        bool worked = best.Start > 0 && byIndex[best.Start - 1].Status == ShardStatus.Running;
        return byIndex[worked ? best.Start + best.Length / 2 : best.Start];
    }
}
