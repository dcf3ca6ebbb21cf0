using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>The coordinator's side of the linear probe over rows that stay with their holders:
/// every holder gathers the selected columns, the training runs as <see cref="HeldRowsTraining"/>
/// (the local run's model to the bit), early stopping counts the holders' right dev predictions,
/// and the holders score every split. Only counts and one bit per held-out row come back.</summary>
internal static class HeldRowsProbe
{
    public static HeldProbeScores Run(HeldRowsTask task, IReadOnlyList<int> columns, IRowHolders holders, ElasticNetOptions options,
        IPluginContext context)
    {
        var ct = context.Cancellation;
        int holderCount = holders.Ranges.Count;
        var select = new MessageWriter(HeldRowsOp.Select).Ints(columns.ToArray()).ToArray();
        foreach (var (answer, h) in holders.Ask(Enumerable.Repeat<byte[]?>(select, holderCount).ToArray(), ct).Select((a, h) => (a, h)))
            new MessageReader(answer ?? throw new InvalidDataException($"{holders.Name(h)}: no answer"), holders.Name(h)).End();

        var selected = task with { Neurons = columns.Select(c => task.Neurons[c]).ToArray() };
        Func<float[], IHeldOutCounter>? dev = task.DevRows > 0 && options.EarlyStoppingPatience > 0
            ? mean => new HeldDevCounter(holders, mean, task.DevRows, ct) : null;
        var model = HeldRowsTraining.Fit(selected, holders, options, context, dev);

        int heldOut = task.TestRows > 0 ? LinearProbeHeldService.Test : task.DevRows > 0 ? LinearProbeHeldService.Dev : LinearProbeHeldService.Train;
        long[] splitRows = [task.TrainRows, task.DevRows, task.TestRows];
        var wT = new float[model.Classes * model.Features];
        SoftmaxObjective.FoldWeights(model.Weights, model.InvStd, model.Classes, wT);
        var score = new MessageWriter(HeldRowsOp.Score).Int(heldOut).Floats(model.Mean).Floats(wT).Floats(model.Bias).ToArray();
        var answers = holders.Ask(Enumerable.Repeat<byte[]?>(score, holderCount).ToArray(), ct);
        var right = new long[3]; var rows = new long[3];
        var correct = new bool[splitRows[heldOut]];
        long covered = 0;
        for (int h = 0; h < holderCount; h++)
        {
            string name = holders.Name(h);
            var r = new MessageReader(answers[h] ?? throw new InvalidDataException($"{name}: no answer"), name);
            for (int s = 0; s < 3; s++)
            {
                long ok = r.Long(), n = r.Long();
                if (ok < 0 || n < 0 || ok > n) throw new InvalidDataException($"{name}: {ok} rows right of {n}");
                right[s] += ok; rows[s] += n;
            }
            int parts = r.Int();
            for (int p = 0; p < parts; p++)
            {
                long first = r.Long(); int n = r.Int();
                var bits = r.Bytes();
                if (first < 0 || n < 0 || first + n > correct.Length || bits.Length != (n + 7) / 8)
                    throw new InvalidDataException($"{name}: held-out rows [{first}, {first + n}) of {correct.Length}, {bits.Length} bytes of bits");
                for (int i = 0; i < n; i++) correct[first + i] = (bits[i >> 3] & (1 << (i & 7))) != 0;
                covered += n;
            }
            r.End();
        }
        for (int s = 0; s < 3; s++)
            if (rows[s] != splitRows[s])
                throw new PluginInputException($"linear-probe: the holders scored {rows[s]:N0} rows of the {SplitName(s)} split, which has {splitRows[s]:N0}");
        if (covered != correct.Length)
            throw new PluginInputException($"linear-probe: the holders sent {covered:N0} held-out rows' results for {correct.Length:N0} rows");
        double Accuracy(int s) => rows[s] == 0 ? double.NaN : (double)right[s] / rows[s];
        return new HeldProbeScores(Accuracy(0), Accuracy(1), Accuracy(2), correct);
    }

    private static string SplitName(int split) => split switch { 0 => "train", 1 => "dev", _ => "test" };

    /// <summary>The holders' dev rows, for early stopping: each check is one message to every holder.</summary>
    private sealed class HeldDevCounter(IRowHolders holders, float[] mean, long rows, CancellationToken cancellation) : IHeldOutCounter
    {
        public long Rows => rows;

        public (long Correct, long Labelled) Count(float[] wT, float[] bias)
        {
            var request = new MessageWriter(HeldRowsOp.Count).Int(LinearProbeHeldService.Dev).Floats(mean).Floats(wT).Floats(bias).ToArray();
            var answers = holders.Ask(Enumerable.Repeat<byte[]?>(request, holders.Ranges.Count).ToArray(), cancellation);
            long ok = 0, labelled = 0;
            for (int h = 0; h < answers.Length; h++)
            {
                var r = new MessageReader(answers[h] ?? throw new InvalidDataException($"{holders.Name(h)}: no answer"), holders.Name(h));
                long c = r.Long(), n = r.Long(); r.End();
                if (c < 0 || n < 0 || c > n) throw new InvalidDataException($"{holders.Name(h)}: {c} dev rows right of {n}");
                ok += c; labelled += n;
            }
            if (labelled > rows) throw new InvalidDataException($"the holders counted {labelled:N0} labelled dev rows; the split has {rows:N0}");
            return (ok, labelled);
        }
    }
}
