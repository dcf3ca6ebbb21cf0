using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>A holder's side of the linear probe over held rows (a silo's shards of the train, dev
/// and test splits, with one labelling's labels). For each training the coordinator selects the
/// neuron columns; the holder gathers them from its rows, answers the training's passes with a
/// <see cref="LinearHeldRowsService"/> over its train rows' columns, counts right predictions on
/// dev for early stopping and, at the end, scores every split.</summary>
internal sealed class LinearProbeHeldService : IHeldRowsService
{
    public const int Train = 0, Dev = 1, Test = 2;
    private const string Sender = "the coordinator";
    private readonly HeldRows held;
    private readonly IPluginContext context;
    private readonly int features;
    private LinearHeldRowsService? training;
    private Selected[][] splits = [[], [], []];
    private int selectedColumns;

    /// <summary>One part's selected columns, gathered [rows, columns], with its labels.</summary>
    private sealed record Selected(long FirstRow, float[] X, int[] Labels)
    {
        public int Rows => Labels.Length;
    }

    public LinearProbeHeldService(HeldRows held, IPluginContext context)
    {
        this.held = held; this.context = context;
        features = held.Task.Neurons.Count;
        foreach (var p in held.Parts.Concat(held.Dev).Concat(held.Test))
        {
            if (p.Activations.Columns != features) throw new PluginInputException($"linear-probe: a held part has {p.Activations.Columns} columns, the task {features}");
            if (p.Labels.Length != p.Activations.Rows) throw new PluginInputException($"linear-probe: a held part has {p.Labels.Length} labels for {p.Activations.Rows} rows");
        }
    }

    public byte[] Answer(byte[] request, CancellationToken cancellation)
    {
        var r = new MessageReader(request, Sender);
        switch (r.Op())
        {
            case HeldRowsOp.Select:
            {
                var columns = r.Ints(); r.End();
                Select(columns, cancellation);
                return [];
            }
            case HeldRowsOp.Count:
            {
                int split = Split(r.Int());
                var (mean, wT, bias) = Model(r); r.End();
                long ok = 0, labelled = 0;
                foreach (var part in splits[split])
                {
                    cancellation.ThrowIfCancellationRequested();
                    var (c, n) = LogitPredictions.Count(Predict(part, mean, wT, bias), part.Labels);
                    ok += c; labelled += n;
                }
                return new MessageWriter().Long(ok).Long(labelled).ToArray();
            }
            case HeldRowsOp.Score:
            {
                int heldOut = Split(r.Int());
                var (mean, wT, bias) = Model(r); r.End();
                var answer = new MessageWriter();
                var right = new List<(long First, int Rows, byte[] Bits)>();
                for (int split = Train; split <= Test; split++)
                {
                    long ok = 0, rows = 0;
                    foreach (var part in splits[split])
                    {
                        cancellation.ThrowIfCancellationRequested();
                        var predicted = Predict(part, mean, wT, bias);
                        var bits = new byte[(part.Rows + 7) / 8];
                        for (int i = 0; i < part.Rows; i++)
                            if (predicted[i] == part.Labels[i]) { ok++; bits[i >> 3] |= (byte)(1 << (i & 7)); }
                        rows += part.Rows;
                        if (split == heldOut) right.Add((part.FirstRow, part.Rows, bits));
                    }
                    answer.Long(ok).Long(rows);
                }
                answer.Int(right.Count);
                foreach (var (first, rows, bits) in right) answer.Long(first).Int(rows).Bytes(bits);
                return answer.ToArray();
            }
            default:
                return (training ?? throw new InvalidOperationException("the coordinator asked for a training step before it selected the neurons"))
                    .Answer(request, cancellation);
        }
    }

    /// <summary>Gathers the columns of every part and starts a training over the train parts' columns.</summary>
    private void Select(int[] columns, CancellationToken cancellation)
    {
        if (columns.Length == 0) throw new InvalidDataException($"{Sender}: no neuron selected");
        foreach (int c in columns)
            if ((uint)c >= (uint)features) throw new InvalidDataException($"{Sender}: neuron column {c} is outside 0..{features - 1}");
        training?.Dispose();
        splits = [Gather(held.Parts, columns, false, cancellation), Gather(held.Dev, columns, true, cancellation), Gather(held.Test, columns, true, cancellation)];
        selectedColumns = columns.Length;
        var neurons = columns.Select(c => held.Task.Neurons[c]).ToArray();
        var trainParts = splits[Train].Select(p => new HeldRowsPart(p.FirstRow, new DenseActivationMatrix(p.X, p.Rows, neurons), p.Labels)).ToList();
        training = new LinearHeldRowsService(new HeldRows(trainParts, held.Task with { Neurons = neurons }), context);
    }

    /// <summary>The parts' columns; a non-finite value of a held-out split is refused here (train
    /// rows are checked by the training, as a local run checks them).</summary>
    private static Selected[] Gather(IReadOnlyList<HeldRowsPart> parts, int[] columns, bool checkFinite, CancellationToken cancellation) =>
        parts.Select(p =>
        {
            var x = p.Activations.GatherColumns(columns, cancellation);
            if (checkFinite)
                for (int i = 0; i < x.Length; i++)
                    if (!float.IsFinite(x[i])) throw new NonFiniteActivationException((int)(p.FirstRow + i / columns.Length), columns[i % columns.Length], x[i]);
            return new Selected(p.FirstRow, x, p.Labels.ToArray());
        }).ToArray();

    private int[] Predict(Selected part, float[] mean, float[] wT, float[] bias) =>
        LogitPredictions.Classes(part.X, part.Rows, selectedColumns, mean, wT, bias);

    private static int Split(int split) =>
        split is >= Train and <= Test ? split : throw new InvalidDataException($"{Sender}: split {split} (0 train, 1 dev, 2 test)");

    /// <summary>The model as the messages carry it: mean [columns], wT [classes, columns], bias [classes].</summary>
    private (float[] Mean, float[] WT, float[] Bias) Model(MessageReader r)
    {
        if (selectedColumns == 0) throw new InvalidOperationException("the coordinator sent a model before it selected the neurons");
        var mean = r.Floats(selectedColumns);
        var wT = r.Floats();
        var bias = r.Floats();
        if (bias.Length == 0 || wT.Length != (long)bias.Length * selectedColumns)
            throw new InvalidDataException($"{Sender}: weights of {wT.Length} values for {bias.Length} classes × {selectedColumns} neurons");
        return (mean, wT, bias);
    }

    public void Dispose()
    {
        training?.Dispose();
        training = null;
        splits = [[], [], []];
    }
}
