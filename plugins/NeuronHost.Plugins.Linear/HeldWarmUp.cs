using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>What a holder of train rows is told before the passes (<see cref="IProbeRows.Prepare"/>).</summary>
internal sealed record PreparedPasses(int Classes, int Valid, int TotalRows, float[] Mean, float[] InvStd, ElasticNetOptions Options);

/// <summary>Adam's warm-up over held rows. Its batches go in row order, so the batches a holder
/// sums come in runs; rather than a round trip per batch (its gradient back to the coordinator,
/// ≈ 140 kB for 17 classes × 1,024 neurons), the coordinator sends the Adam state to the holder
/// once per run and the holder steps through the run's batches itself, with the same code and
/// the same exact batch sums, so the state that comes back is the one a local run reaches.</summary>
internal static class HeldWarmUp
{
    /// <summary>Batches per message at most: a message's work stays a fraction of a full pass
    /// (65k rows at batch 512), whatever the rows per holder.</summary>
    public const int MaxBatchesPerRun = 128;

    /// <summary>On the coordinator: for a batch start, the run of consecutive whole batches that one
    /// holder sums from there (across its adjacent ranges, at most <see cref="MaxBatchesPerRun"/>);
    /// null when fewer than two batches would go (a single batch costs the same either way, and one
    /// across holders is summed here).</summary>
    public static AdamWarmUp.RemoteRuns Plan(IReadOnlyList<(long First, long End, int Holder)> ranges, IReadOnlyList<IProbeRows> holders,
        int rows, int batch, CancellationToken cancellation) => first =>
    {
        int i = 0;
        while (i < ranges.Count && ranges[i].End <= first) i++;
        if (i == ranges.Count || ranges[i].First > first) return null;
        int holder = ranges[i].Holder;
        long end = ranges[i].End;
        for (int j = i + 1; j < ranges.Count && ranges[j].Holder == holder && ranges[j].First == end; j++) end = ranges[j].End;
        long batches = end >= rows ? (rows - first + batch - 1) / batch : (end - first) / batch;
        batches = Math.Min(batches, MaxBatchesPerRun);
        if (batches < 2) return null;
        long runEnd = first + batches * batch;
        return (runEnd, state => holders[holder].WarmUp(state, first, runEnd, cancellation));
    };

    /// <summary>On a holder: the batches from <paramref name="first"/> before <paramref name="end"/>,
    /// every one of them within <paramref name="rows"/>' ranges; steps <paramref name="state"/> and returns it.</summary>
    public static AdamState Steps(IProbeRows rows, PreparedPasses? prepared, AdamState state, long first, long end, CancellationToken cancellation)
    {
        var p = prepared ?? throw new InvalidOperationException("the coordinator asked for warm-up steps before it prepared this holder");
        int features = p.Mean.Length;
        if (state.W.Length != (long)p.Classes * features || state.B.Length != p.Classes)
            throw new InvalidDataException($"an Adam state of {state.W.Length} + {state.B.Length} parameters for {p.Classes} classes × {features} features");
        int batch = AdamWarmUp.BatchRows(p.Options);
        long last = Math.Min(end, p.TotalRows);
        if (first < 0 || first >= last || ((last - first) % batch != 0 && last != p.TotalRows))
            throw new InvalidDataException($"warm-up batches from row {first} to {end} are not whole batches of {batch} within the {p.TotalRows} rows");
        var ranges = rows.Ranges.Select(r => (r.First, r.End, Owner: rows)).ToList();
        // the rows from first to last must all be here, in adjacent ranges
        long covered = first;
        foreach (var r in ranges.Where(r => r.End > first).OrderBy(r => r.First))
        {
            if (r.First > covered) break;
            covered = Math.Max(covered, r.End);
        }
        if (covered < last) throw new InvalidDataException($"warm-up batches from row {first} to {last}: row {covered} is not held here");
        var problem = SoftmaxObjective.OverHolders(features, p.Classes, p.Valid, p.TotalRows, p.Mean, p.InvStd, p.Options,
            (_, _) => throw new InvalidOperationException("a holder's warm-up makes no full passes"),
            (w, b, f, c) => BatchOverRanges.Sum(ranges, p.TotalRows, w, b, f, c));
        AdamWarmUp.Steps(problem, state, first, last, p.Options, cancellation);
        return state;
    }
}
