using System.Text.Json;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>A holder's side of the linear probe over held rows (a silo's shards of the train
/// split): lends rows to the holder that sums their segment, keeps the rows other holders lend
/// it, builds its <see cref="ProbeRowHolder"/>s on the segment grid — one per run of adjacent
/// segments, so that a pass over a silo's rows is one parallel pass, as a local run's — and
/// answers their passes. The host's parts are read where they are (not copied until Build).</summary>
internal sealed class LinearHeldRowsService : IHeldRowsService
{
    private readonly List<(long First, IActivationMatrix X, ReadOnlyMemory<int> Y)> parts = [];
    private readonly List<(long First, IActivationMatrix X, ReadOnlyMemory<int> Y)> received = [];
    private readonly int features;
    private IProbeRows? rows;
    private int classes;
    private const string Sender = "the coordinator";

    public LinearHeldRowsService(HeldRows held, IPluginContext context)
    {
        features = held.Task.Neurons.Count;
        foreach (var p in held.Parts)
        {
            if (p.Activations.Columns != features) throw new PluginInputException($"linear: a held part has {p.Activations.Columns} columns, the task {features}");
            if (p.Labels.Length != p.Activations.Rows) throw new PluginInputException($"linear: a held part has {p.Labels.Length} labels for {p.Activations.Rows} rows");
            parts.Add((p.FirstRow, p.Activations, p.Labels));
        }
    }

    public byte[] Answer(byte[] request, CancellationToken cancellation)
    {
        var r = new MessageReader(request, Sender);
        var op = r.Op();
        var answer = new MessageWriter();
        switch (op)
        {
            case HeldRowsOp.Rows:
            {
                long first = r.Long(), end = r.Long(); r.End();
                var (x, y) = Copy(parts, first, end);
                answer.Floats(x).Ints(y);
                break;
            }
            case HeldRowsOp.Receive:
            {
                long first = r.Long(); int count = r.Int();
                var x = r.Floats((long)count * features); var y = r.Ints(count); r.End();
                received.Add((first, new DenseActivationMatrix(x, count, Neurons(features)), y));
                break;
            }
            case HeldRowsOp.Build:
            {
                int n = r.Int();
                var ranges = new List<(long First, long End)>();
                for (int i = 0; i < n; i++) ranges.Add((r.Long(), r.Long()));
                r.End();
                var members = new List<IProbeRows>();
                foreach (var (first, end) in Adjacent(ranges))
                {
                    var (x, y) = Copy([.. parts, .. received], first, end);
                    members.Add(new ProbeRowHolder(x, y, features, checked((int)first)));
                }
                rows = new ProbeRowGroup(members);
                // the holders copied what they sum; rows are lent before any holder is built
                received.Clear();
                parts.Clear();
                break;
            }
            case HeldRowsOp.ClassCounts: { int classes = r.Int(); r.End(); answer.Ints(Rows.ClassCounts(classes)); break; }
            case HeldRowsOp.RowValues: { long row = r.Long(); r.End(); answer.Floats(Rows.RowValues(row)); break; }
            case HeldRowsOp.MomentChunks:
            {
                var shift = r.Floats(features); r.End();
                var chunks = Rows.MomentChunks(shift);
                answer.Int(chunks.Count);
                foreach (var c in chunks) answer.Long(c.Index).Floats(c.Sums).Floats(c.Squares);
                break;
            }
            case HeldRowsOp.CheckFinite: r.End(); Rows.ThrowIfNonFinite(); break;
            case HeldRowsOp.Prepare:
            {
                int classes = r.Int(), valid = r.Int(), total = r.Int();
                var mean = r.Floats(features); var inv = r.Floats(features);
                var options = JsonSerializer.Deserialize<ElasticNetOptions>(r.Bytes()) ?? throw new InvalidDataException($"{Sender}: no options");
                r.End();
                Rows.Prepare(classes, valid, total, mean, inv, options);
                this.classes = classes;
                break;
            }
            case HeldRowsOp.Pass:
            {
                var (w, b, classes) = Model(r); r.End();
                answer.Bytes(PassSumsCodec.Encode(Rows.SumPass(w, b), classes, features));
                break;
            }
            case HeldRowsOp.Batch:
            {
                var (w, b, classes) = Model(r); long first = r.Long(); int count = r.Int(); r.End();
                var (sums, labelled) = Rows.SumBatch(w, b, first, count);
                answer.Int(labelled).Bytes(PassSumsCodec.Encode(sums, classes, features));
                break;
            }
            case HeldRowsOp.WarmUp:
            {
                if (classes == 0) throw new InvalidOperationException("the coordinator asked for warm-up steps before it prepared this holder");
                long first = r.Long(), end = r.Long();
                var state = r.Adam(classes, features); r.End();
                answer.Adam(Rows.WarmUp(state, first, end, cancellation));
                break;
            }
            default: throw new InvalidDataException($"{Sender}: unknown operation {(byte)op}");
        }
        return answer.ToArray();
    }

    private (float[] W, float[] B, int Classes) Model(MessageReader r)
    {
        var w = r.Floats();
        var b = r.Floats();
        if (b.Length == 0 || w.Length != (long)b.Length * features) throw new InvalidDataException($"{Sender}: weights of {w.Length} values for {b.Length} classes × {features} features");
        return (w, b, b.Length);
    }

    private IProbeRows Rows => rows ?? throw new InvalidOperationException("the coordinator asked for passes before it said which rows this holder sums");

    /// <summary>The ranges in row order with adjacent ones joined (each run starts on the grid, as its first range did).</summary>
    private (long First, long End)[] Adjacent(List<(long First, long End)> ranges)
    {
        var runs = new List<(long First, long End)>();
        foreach (var (first, end) in ranges.OrderBy(x => x.First))
        {
            if (end < first) throw new InvalidDataException($"{Sender}: rows [{first}, {end})");
            if (runs.Count > 0 && runs[^1].End == first) runs[^1] = (runs[^1].First, end);
            else runs.Add((first, end));
        }
        return [.. runs];
    }

    private static NeuronRef[] Neurons(int features) => Enumerable.Range(0, features).Select(i => new NeuronRef("held", i)).ToArray();

    /// <summary>Rows [first, end) from the pieces that hold them (all of them must be there).</summary>
    private (float[] X, int[] Y) Copy(IReadOnlyList<(long First, IActivationMatrix X, ReadOnlyMemory<int> Y)> from, long first, long end)
    {
        if (end < first) throw new InvalidDataException($"{Sender}: rows [{first}, {end})");
        int n = checked((int)(end - first));
        var x = new float[checked((long)n * features)]; var y = new int[n];
        long cursor = first;
        foreach (var (f, px, py) in from.OrderBy(p => p.First))
        {
            long e = f + py.Length;
            if (e <= cursor || f > cursor || cursor >= end) continue;
            long take = Math.Min(end, e) - cursor;
            CopyRows(px, cursor - f, (int)take, x.AsSpan(checked((int)((cursor - first) * features))));
            py.Span.Slice((int)(cursor - f), (int)take).CopyTo(y.AsSpan((int)(cursor - first)));
            cursor += take;
        }
        if (cursor < end) throw new InvalidOperationException($"rows [{first}, {end}) are not all here: row {cursor} is missing");
        return (x, y);
    }

    /// <summary>count rows of m from row `from` into `into`, block by block.</summary>
    private void CopyRows(IActivationMatrix m, long from, int count, Span<float> into)
    {
        long end = from + count;
        for (int b = 0; b < m.BlockCount; b++)
        {
            var block = m.GetBlock(b);
            long lo = Math.Max(from, block.FirstRow), hi = Math.Min(end, block.FirstRow + block.Rows);
            if (lo >= hi) continue;
            block.Span.Slice(checked((int)((lo - block.FirstRow) * features)), checked((int)((hi - lo) * features)))
                .CopyTo(into.Slice(checked((int)((lo - from) * features))));
        }
    }

    public void Dispose() { parts.Clear(); received.Clear(); rows = null; }
}
