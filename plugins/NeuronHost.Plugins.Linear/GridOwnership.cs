namespace NeuronHost.Plugins.Linear;

/// <summary>Rows that move from one holder to another before a sharded probe's passes.</summary>
public readonly record struct RowTransfer(int From, int To, long First, long End);

/// <summary>Who sums which rows of a linear probe whose rows are held in shards cut by sentence
/// (holder h holds [start_h, end_h), the shards in row order). A pass's sums merge into a local
/// pass's bits only if every segment of the summation grid is summed by one holder, so each
/// segment goes to the holder of its first row: holder h sums [up(start_h), up(end_h)), where up
/// rounds up to the grid (and stops at the last row), and receives the rows of its last segment
/// that the next shards hold — fewer than one segment, once, before the first pass.</summary>
public static class GridOwnership
{
    /// <summary>The rows each holder sums, [First, End) (empty when its whole shard lies inside a
    /// segment that starts in an earlier one), and the transfers that bring them there.</summary>
    /// <param name="shardEnds">End row of each holder's shard, increasing; shard h starts where h−1 ends (the first at 0).</param>
    /// <param name="segmentRows">The grid's rows per segment (<see cref="SoftmaxObjective.SegmentRowsFor"/> of all the rows).</param>
    public static ((long First, long End)[] Owned, RowTransfer[] Transfers) Plan(IReadOnlyList<long> shardEnds, int segmentRows)
    {
        if (segmentRows <= 0) throw new ArgumentOutOfRangeException(nameof(segmentRows), segmentRows, "rows per segment must be positive");
        int holders = shardEnds.Count;
        long total = holders == 0 ? 0 : shardEnds[^1];
        var starts = new long[holders];
        for (int h = 0; h < holders; h++)
        {
            starts[h] = h == 0 ? 0 : shardEnds[h - 1];
            if (shardEnds[h] < starts[h]) throw new ArgumentException($"shard {h} ends at row {shardEnds[h]}, before it starts ({starts[h]})", nameof(shardEnds));
        }
        long Up(long row) => Math.Min(total, (row + segmentRows - 1) / segmentRows * segmentRows);
        var owned = new (long, long)[holders];
        var transfers = new List<RowTransfer>();
        for (int h = 0; h < holders; h++)
        {
            long first = Up(starts[h]), end = Up(shardEnds[h]);
            owned[h] = (first, Math.Max(first, end));
            if (end <= first) continue;   // its rows all belong to a segment that starts earlier
            // rows [end_h, up(end_h)) come from the shards after h that hold them
            for (int j = h + 1; j < holders && starts[j] < end; j++)
            {
                long from = Math.Max(starts[j], shardEnds[h]), to = Math.Min(shardEnds[j], end);
                if (to > from) transfers.Add(new RowTransfer(j, h, from, to));
            }
        }
        return (owned, transfers.ToArray());
    }
}
