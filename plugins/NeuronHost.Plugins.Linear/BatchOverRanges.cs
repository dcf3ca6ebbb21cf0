namespace NeuronHost.Plugins.Linear;

/// <summary>A mini-batch's exact sums over rows that several owners sum (holders on the
/// coordinator, a silo's segments on the silo): the batch is cut where the owners meet, on the
/// grid, as a local pass cuts it, and the exact parts merge into the same bits wherever this runs.</summary>
internal static class BatchOverRanges
{
    /// <param name="ranges">who sums which rows, in row order</param>
    /// <param name="rows">rows of the whole problem (a batch ends at the last)</param>
    public static (PassSums Sums, int Labelled) Sum(IReadOnlyList<(long First, long End, IProbeRows Owner)> ranges, int rows,
        ReadOnlySpan<float> w, ReadOnlySpan<float> b, long first, int count)
    {
        float[] wa = w.ToArray(), ba = b.ToArray();
        long end = Math.Min(rows, first + count);
        PassSums? total = null; int labelled = 0;
        foreach (var r in ranges)
        {
            if (r.First >= end || r.End <= first) continue;
            long lo = Math.Max(first, r.First), hi = Math.Min(end, r.End);
            var (sums, n) = r.Owner.SumBatch(wa, ba, lo, (int)(hi - lo));
            if (total is null) total = sums; else total.Merge(sums);
            labelled += n;
        }
        return (total ?? throw new ArgumentOutOfRangeException(nameof(first), $"no rows in [{first}, {end})"), labelled);
    }
}
