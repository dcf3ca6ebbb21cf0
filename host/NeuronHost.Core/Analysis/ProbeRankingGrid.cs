using NeuronHost.Sdk;

namespace NeuronHost.Core.Analysis;

/// <summary>The Pitfalls evaluation: every ranking × every probe on its top-k, bottom-k and a
/// random-k for every k of the grid, each probe trained on train and scored on train/dev/test,
/// again on the control labels (selectivity), plus the all-neuron oracle and Durrani's minimal
/// neuron set. A ranking plugin that fails is recorded in <see cref="GridResult.Failures"/> and
/// the rest goes on; a probe that fails stops the run with a message naming it.</summary>
public static class ProbeRankingGrid
{
    public const string Top = "top", BottomSel = "bottom", RandomSel = "random";

    public static GridResult Run(GridOptions options, ProbingData data, IReadOnlyList<IRankingMethod> rankers,
        IReadOnlyList<IProbe> probes, IPluginContext context)
    {
        var ct = context.Cancellation;
        int d = data.Neurons.Count;
        if (data.ClassCount < 2) throw new GridException($"task '{data.Task}' has {data.ClassCount} class; probing needs at least 2");
        ValidateControl(options.Control, data);
        var ks = options.KValues.Where(k => k >= 1).Distinct().Order().ToList();
        var dropped = ks.Where(k => k > d).ToList();
        if (dropped.Count > 0)
            context.Log.Warn($"grid: k = {string.Join(", ", dropped)} exceed the {d} neurons and are skipped");
        ks = ks.Where(k => k <= d).ToList();

        // 1. rankings
        var rankings = new List<Ranking>(); var failures = new List<RankingFailure>();
        foreach (var ranker in rankers)
        {
            ct.ThrowIfCancellationRequested();
            context.Progress.Report(new ProgressReport($"ranking: {ranker.Info.Name}", 0, 1));
            try
            {
                var r = ranker.Rank(new RankingRequest(data, options.OtherModels), context);
                if (r.Order.Count == 0) throw new PluginInputException("returned an empty ranking");
                rankings.Add(r with { Method = UniqueName(r.Method, rankings) });
            }
            catch (OperationCanceledException) { throw; }
            catch (Exception e) when (e is PluginInputException or NonFiniteActivationException or ArgumentException or InvalidOperationException)
            {
                failures.Add(new RankingFailure(ranker.Info.Name, e.Message));
                context.Log.Warn($"grid: ranking '{ranker.Info.Name}' failed: {e.Message}");
            }
            context.Progress.Report(new ProgressReport($"ranking: {ranker.Info.Name}", 1, 1));
        }

        // 2. selections: (ranking, top|bottom) and one seeded random order
        var selections = new List<(string Ranking, string Selection, int[] Order)>();
        foreach (var r in rankings)
        {
            var order = r.Order.Select(n => n.Column).ToArray();
            selections.Add((r.Method, Top, order));
            if (options.Bottom && r.Method != RandomSel) selections.Add((r.Method, BottomSel, order.Reverse().ToArray()));
        }
        if (options.Random && rankings.All(r => r.Method != RandomSel))
        {
            var perm = Enumerable.Range(0, d).ToArray();
            new Random(context.Seed).Shuffle(perm);
            selections.Add((RandomSel, RandomSel, perm));
        }

        // 3. probes on every selection × k, then the oracle — each within the probe's own neuron limit
        var probeKs = probes.ToDictionary(p => p, p => ks.Where(k => k <= p.MaxNeurons).ToList());
        var runsOracle = probes.ToDictionary(p => p, p => options.Oracle && d <= p.MaxNeurons);
        foreach (var probe in probes)
        {
            var over = ks.Except(probeKs[probe]).ToList();
            if (over.Count > 0)
                context.Log.Warn($"grid: '{probe.Info.Name}' trains on at most {probe.MaxNeurons} neurons; k = {string.Join(", ", over)} skipped for it");
            if (options.Oracle && !runsOracle[probe])
                context.Log.Warn($"grid: no all-neuron oracle for '{probe.Info.Name}': {d} neurons exceed its limit of {probe.MaxNeurons}");
        }
        int total = probes.Sum(p => selections.Count * probeKs[p].Count + (runsOracle[p] ? 1 : 0));
        int done = 0;
        var cells = new List<GridCell>();
        var oracles = new List<OracleResult>();
        var controlData = options.Control is null ? null : WithControl(data, options.Control);
        context.Progress.Report(new ProgressReport("probe × ranking grid", 0, total, "probes"));   // the oracle comes first and is the slowest
        foreach (var probe in probes)
        {
            if (runsOracle[probe])
            {
                var all = Enumerable.Range(0, d).ToArray();
                var task = Evaluate(probe, data, all, context);
                var control = controlData is null ? SplitAccuracies.None : Evaluate(probe, controlData, all, context);
                oracles.Add(new OracleResult(probe.Info.Name, task, control));
                context.Progress.Report(new ProgressReport("probe × ranking grid", ++done, total, "probes"));
            }
            foreach (var (rankingName, selection, order) in selections)
                foreach (int k in probeKs[probe])
                {
                    ct.ThrowIfCancellationRequested();
                    var cols = order.AsSpan(0, k).ToArray();
                    var task = Evaluate(probe, data, cols, context);
                    var control = controlData is null ? SplitAccuracies.None : Evaluate(probe, controlData, cols, context);
                    cells.Add(new GridCell(rankingName, selection, probe.Info.Name, k, task, control));
                    context.Progress.Report(new ProgressReport("probe × ranking grid", ++done, total, "probes"));
                }
        }

        var minimal = MinimalNeuronSet.Find(rankings, cells, oracles, options.MinimalSetMargin);
        return new GridResult(data.Task, data.ClassNames, Majority(data), rankings, cells, oracles, minimal, failures);
    }

    /// <summary>Trains the probe on the columns (train split) and scores every split present.</summary>
    public static SplitAccuracies Evaluate(IProbe probe, ProbingData data, int[] columns, IPluginContext context)
    {
        ITrainedProbe trained;
        try { trained = probe.Train(data, columns, context); }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (e is PluginInputException or NonFiniteActivationException or ArgumentException or InvalidOperationException)
        {
            throw new GridException($"probe '{probe.Info.Name}' failed on {columns.Length} neuron(s) of task '{data.Task}': {e.Message}", e);
        }
        double Acc(DataSplit? s) => s is null || s.Tokens == 0 ? double.NaN : trained.Evaluate(s, data.ClassNames).Accuracy;
        return new SplitAccuracies(Acc(data.Train), Acc(data.Dev), Acc(data.Test));
    }

    /// <summary>Accuracy of always predicting the most frequent training class.</summary>
    public static SplitAccuracies Majority(ProbingData data)
    {
        var counts = new long[data.ClassCount];
        foreach (int y in data.Train.Labels.Span) if ((uint)y < (uint)counts.Length) counts[y]++;
        int major = Array.IndexOf(counts, counts.Max());
        double Acc(DataSplit? s)
        {
            if (s is null || s.Tokens == 0) return double.NaN;
            long hit = 0; foreach (int y in s.Labels.Span) if (y == major) hit++;
            return (double)hit / s.Labels.Length;
        }
        return new SplitAccuracies(Acc(data.Train), Acc(data.Dev), Acc(data.Test));
    }

    private static ProbingData WithControl(ProbingData data, ControlLabels control) => data with
    {
        Task = data.Task + " (control)",
        ClassNames = control.ClassNames,
        Train = data.Train with { Labels = control.Train },
        Dev = data.Dev is null || control.Dev is null ? null : data.Dev with { Labels = control.Dev.Value },
        Test = data.Test is null || control.Test is null ? null : data.Test with { Labels = control.Test.Value },
    };

    private static void ValidateControl(ControlLabels? control, ProbingData data)
    {
        if (control is null) return;
        void Check(string split, ReadOnlyMemory<int>? labels, DataSplit? s)
        {
            if (labels is null || s is null) return;
            if (labels.Value.Length != s.Tokens)
                throw new GridException($"control labels for {split} have {labels.Value.Length} entries but the split has {s.Tokens} tokens");
            foreach (int y in labels.Value.Span)
                if (y != -1 && (uint)y >= (uint)control.ClassNames.Count)
                    throw new GridException($"control label {y} in {split} is outside 0..{control.ClassNames.Count - 1}");
        }
        Check("train", control.Train, data.Train);
        Check("dev", control.Dev, data.Dev);
        Check("test", control.Test, data.Test);
    }

    private static string UniqueName(string name, List<Ranking> existing)
    {
        string candidate = name; int i = 2;
        while (existing.Any(r => r.Method == candidate)) candidate = $"{name}#{i++}";
        return candidate;
    }
}

/// <summary>A grid that cannot run (bad control labels, a probe that fails): the message names it.</summary>
public sealed class GridException(string message, Exception? inner = null) : Exception(message, inner);
