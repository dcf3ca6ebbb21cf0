using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>The coordinator's side of the linear probe over train rows that stay with their
/// holders (a cluster's silos): which holder sums which rows (<see cref="GridOwnership"/> over
/// every held part), the rows lent once between holders so that every segment of the summation
/// grid is summed by one of them, and then <see cref="ElasticNetTrainer.FitOverHolders"/> over
/// the holders, which gives <see cref="ElasticNetTrainer.Fit"/>'s model on all the rows to the bit.</summary>
internal static class HeldRowsTraining
{
    /// <param name="earlyStopping">From the model's column means, the held-out split to stop on (none: train to tolerance).</param>
    public static SoftmaxModel Fit(HeldRowsTask task, IRowHolders holders, ElasticNetOptions options, IPluginContext context,
        Func<float[], IHeldOutCounter>? earlyStopping = null)
    {
        int features = task.Neurons.Count;
        var pieces = holders.Ranges.SelectMany((ranges, h) => ranges.Select(r => (r.First, r.End, Holder: h)))
            .Where(p => p.End > p.First).OrderBy(p => p.First).ToList();
        long next = 0;
        foreach (var p in pieces)
        {
            if (p.First != next) throw new PluginInputException($"linear: the held train rows are not the split's rows once each: {holders.Name(p.Holder)} holds rows from {p.First}, the rows before end at {next}");
            next = p.End;
        }
        if (next != task.TrainRows) throw new PluginInputException($"linear: the holders hold {next:N0} train rows, the task has {task.TrainRows:N0}");
        if (next > int.MaxValue) throw new PluginInputException($"linear: {next:N0} train rows; the probe trains on at most {int.MaxValue:N0}");

        var (owned, transfers) = GridOwnership.Plan(pieces.Select(p => p.End).ToArray(), SoftmaxObjective.SegmentRowsFor(next));
        // rows lent between holders (a holder's own next piece needs no lending: it has those rows)
        foreach (var t in transfers.Where(t => pieces[t.From].Holder != pieces[t.To].Holder))
        {
            context.Cancellation.ThrowIfCancellationRequested();
            int from = pieces[t.From].Holder, to = pieces[t.To].Holder;
            var rows = RemoteProbeRows.Ask(holders, from, new MessageWriter(HeldRowsOp.Rows).Long(t.First).Long(t.End).ToArray(), context.Cancellation);
            var r = new MessageReader(rows, holders.Name(from));
            int count = checked((int)(t.End - t.First));
            var x = r.Floats((long)count * features); var y = r.Ints(count); r.End();
            RemoteProbeRows.Ask(holders, to, new MessageWriter(HeldRowsOp.Receive).Long(t.First).Int(count).Floats(x).Ints(y).ToArray(), context.Cancellation);
        }
        // each holder's segments, then its stand-in here
        var remote = new List<IProbeRows>();
        for (int h = 0; h < holders.Ranges.Count; h++)
        {
            var mine = owned.Select((o, i) => (o, i)).Where(p => pieces[p.i].Holder == h && p.o.End > p.o.First).Select(p => p.o).ToList();
            if (mine.Count == 0) continue;
            var build = new MessageWriter(HeldRowsOp.Build).Int(mine.Count);
            foreach (var (first, end) in mine) build.Long(first).Long(end);
            RemoteProbeRows.Ask(holders, h, build.ToArray(), context.Cancellation);
            remote.Add(new RemoteProbeRows(holders, h, mine, features, context.Cancellation));
        }
        context.Log.Info($"linear: {next:N0} train rows summed on {remote.Count} holder(s); {transfers.Where(t => pieces[t.From].Holder != pieces[t.To].Holder).Sum(t => t.End - t.First):N0} rows lent once between them");
        return ElasticNetTrainer.FitOverHolders(remote, features, task.ClassCount, options, context.Progress, context.Cancellation, earlyStopping);
    }
}
