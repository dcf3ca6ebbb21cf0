using NeuronHost.Sdk;

namespace NeuronHost.Core.Analysis;

/// <summary>The Pitfalls evaluation: every ranking × every probe on its top-k, bottom-k and a
/// random-k for every k of the grid, each probe trained on train and scored on train/dev/test,
/// again on the control labels (selectivity), plus the all-neuron oracle and Durrani's minimal
/// neuron set. A ranking or probe plugin that fails — throws, or returns an output the host's
/// checks refuse (<see cref="PluginOutputCheck"/>) — is recorded in <see cref="GridResult.Failures"/>
/// and the rest goes on. Cancelling returns what finished, marked <see cref="GridResult.Cancelled"/>.</summary>
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

        var rankings = new List<Ranking>(); var failures = new List<PluginFailure>();
        var cells = new List<GridCell>();
        var oracles = new List<OracleResult>();
        bool cancelled = false;
        try
        {
            RunRankings(options, data, rankers, context, ks.Count == 0 ? 1 : ks[^1], rankings, failures);
            RunProbes(options, data, probes, context, ks, rankings, cells, oracles, failures);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            cancelled = true; // keep what finished
        }

        var minimal = MinimalNeuronSet.Find(rankings, cells, oracles, options.MinimalSetMargin);
        return new GridResult(data.Task, data.ClassNames, Majority(data), rankings, cells, oracles, minimal, failures) { Cancelled = cancelled };
    }

    private static void RunRankings(GridOptions options, ProbingData data, IReadOnlyList<IRankingMethod> rankers, IPluginContext context,
        int largestK, List<Ranking> rankings, List<PluginFailure> failures)
    {
        foreach (var ranker in rankers)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            string name = ranker.Info.Name;
            context.Progress.Report(new ProgressReport($"ranking: {name}", 0, 1));
            string? problem;
            Ranking? r = null;
            try
            {
                r = ranker.Rank(new RankingRequest(data, options.OtherModels), context);
                problem = PluginOutputCheck.Ranking(r, data.Neurons, largestK);
            }
            catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested) { throw; }
            catch (Exception e) { problem = FailureReason(e); }
            if (problem is null) rankings.Add(r! with { Method = UniqueName(r!.Method, rankings) });
            else
            {
                failures.Add(new PluginFailure(name, PluginKind.Ranking, problem));
                context.Log.Warn($"grid: ranking '{name}' failed: {problem}");
            }
            context.Progress.Report(new ProgressReport($"ranking: {name}", 1, 1));
        }
    }

    private static void RunProbes(GridOptions options, ProbingData data, IReadOnlyList<IProbe> probes, IPluginContext context,
        List<int> ks, List<Ranking> rankings, List<GridCell> cells, List<OracleResult> oracles, List<PluginFailure> failures)
    {
        var ct = context.Cancellation;
        int d = data.Neurons.Count;
        // selections: (ranking, top|bottom) and one seeded random order
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

        // probes on every selection × k, then the oracle — each within the probe's own neuron limit
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
        var controlData = options.Control is null ? null : WithControl(data, options.Control);
        context.Progress.Report(new ProgressReport("probe × ranking grid", 0, total, "probes"));   // the oracle comes first and is the slowest
        foreach (var probe in probes)
        {
            int planned = selections.Count * probeKs[probe].Count + (runsOracle[probe] ? 1 : 0);
            int doneBefore = done;
            try
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
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e)
            {
                // This probe's remaining cells are skipped; the cells it finished stay.
                string reason = FailureReason(e);
                failures.Add(new PluginFailure(probe.Info.Name, PluginKind.Probe, reason));
                context.Log.Warn($"grid: probe '{probe.Info.Name}' failed: {reason}");
                done = doneBefore + planned;
                context.Progress.Report(new ProgressReport("probe × ranking grid", done, total, "probes"));
            }
        }
    }

    /// <summary>What went wrong in a plugin call, on one line: the message alone for the errors a
    /// plugin or the host raise on purpose, the exception type too for the others.</summary>
    public static string FailureReason(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        string message = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return e switch
        {
            Isolation.PluginFailedException f => f.Reason,
            PluginInputException or GridException => message,
            _ => $"threw {e.GetType().Name}: {message}",
        };
    }

    /// <summary>Trains the probe on the columns (train split) and scores every split present. A
    /// probe that throws or predicts a wrong number of labels or an unknown class gives a
    /// <see cref="GridException"/> that names it.</summary>
    public static SplitAccuracies Evaluate(IProbe probe, ProbingData data, int[] columns, IPluginContext context)
    {
        string Where() => $"probe '{probe.Info.Name}' on {columns.Length} neuron(s) of task '{data.Task}'";
        ITrainedProbe trained;
        try { trained = probe.Train(data, columns, context); }
        catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested) { throw; }
        catch (Exception e) { throw new GridException($"{Where()}: {FailureReason(e)}", e); }
        double Acc(DataSplit? s, string name)
        {
            if (s is null || s.Tokens == 0) return double.NaN;
            int[] predicted;
            try { predicted = trained.Predict(s.Activations); }
            catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested) { throw; }
            catch (Exception e) { throw new GridException($"{Where()}: predicting {name}: {FailureReason(e)}", e); }
            if (PluginOutputCheck.Predictions(predicted, s.Tokens, data.ClassCount, name) is { } problem)
                throw new GridException($"{Where()}: {problem}");
            return ProbeReport.FromPredictions(s.Labels.Span, predicted, data.ClassNames).Accuracy;
        }
        return new SplitAccuracies(Acc(data.Train, "train"), Acc(data.Dev, "dev"), Acc(data.Test, "test"));
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
