using NeuronHost.Sdk;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Sdk.Statistics;

namespace NeuronHost.Core.Analysis;

/// <summary>The Pitfalls evaluation: every ranking × every probe on its top-k, bottom-k (cuts
/// through tied scores sampled with the run's seed) and ≥ 10 seeded random-k draws for every k
/// of the grid, with paired tests of top vs random, top vs bottom and ranking vs ranking, each probe trained on train and scored on train/dev/test,
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
        var parts = new GridParts();
        bool cancelled = false;
        try
        {
            RunRankings(options, data, rankers, context, ks.Count == 0 ? 1 : ks[^1], rankings, failures);
            // A grid calls each ranking once: the ranking workers kept for reuse would only sit
            // beside the probes' workers for the rest of the grid (each its own runtime).
            Isolation.IdleWorkers.Clear();
            RunProbes(options, data, probes, context, ks, rankings, parts, failures);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            cancelled = true; // keep what finished
        }

        var ties = rankings.Select(r => new RankingTies(r.Method, r.Order.Count(n => Same(n.Score, r.Order[^1].Score)), r.Order[^1].Score,
            r.Order.Count(n => Same(n.Score, r.Order[0].Score)))).ToList();
        return new GridResult(data.Task, data.ClassNames, Majority(data), rankings, parts.Cells, parts.Oracles, parts.Minimal, failures)
        {
            Cancelled = cancelled, RandomBaselines = parts.Random, RandomSeeds = parts.Seeds, Comparisons = parts.Comparisons,
            Ties = ties, OracleFractions = parts.Fractions,
        };
    }

    private static bool Same(double a, double b) => a == b || (double.IsNaN(a) && double.IsNaN(b));

    /// <summary>What the probes produced, filled as they finish (so a cancel keeps it).</summary>
    private sealed class GridParts
    {
        public List<GridCell> Cells { get; } = [];
        public List<OracleResult> Oracles { get; } = [];
        public List<RandomBaseline> Random { get; } = [];
        public List<ulong> Seeds { get; } = [];
        public List<SelectionComparison> Comparisons { get; } = [];
        public List<MinimalSet> Minimal { get; } = [];
        public List<OracleFractionPoint> Fractions { get; } = [];
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
        List<int> ks, List<Ranking> rankings, GridParts parts, List<PluginFailure> failures)
    {
        var ct = context.Cancellation;
        int d = data.Neurons.Count;
        ulong seed = (ulong)context.Seed;
        // selections: each ranking's top and bottom (ties cut by seeded sampling), then the seeded random draws
        var selections = new List<(string Ranking, string Selection, Func<int, int[]> Columns)>();
        foreach (var r in rankings)
        {
            selections.Add((r.Method, Top, k => RankingCuts.Top(r, k, seed).Select(n => n.Column).ToArray()));
            if (options.Bottom && r.Method != RandomSel)
                selections.Add((r.Method, BottomSel, k => RankingCuts.Bottom(r, k, seed).Select(n => n.Column).ToArray()));
        }
        if (options.Random && options.RandomDraws < 1) throw new GridException($"random draws must be at least 1, got {options.RandomDraws}");
        var seeds = options.Random ? BaselineDraws.Seeds(context.Seed, options.RandomDraws) : [];
        parts.Seeds.AddRange(seeds);
        var randomOrders = seeds.Select(sd => Permutations.Of(d, sd)).ToArray();

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
        int total = probes.Sum(p => (selections.Count + randomOrders.Length) * probeKs[p].Count + (runsOracle[p] ? 1 : 0));
        int done = 0;
        var controlData = options.Control is null ? null : WithControl(data, options.Control);
        context.Progress.Report(new ProgressReport("probe × ranking grid", 0, total, "probes"));   // the oracle comes first and is the slowest
        foreach (var probe in probes)
        {
            int planned = (selections.Count + randomOrders.Length) * probeKs[probe].Count + (runsOracle[probe] ? 1 : 0);
            int doneBefore = done;
            string name = probe.Info.Name;
            try
            {
                OracleResult? oracle = null;
                if (runsOracle[probe])
                {
                    var all = Enumerable.Range(0, d).ToArray();
                    var task = Evaluate(probe, data, all, context);
                    var control = controlData is null ? SplitAccuracies.None : Evaluate(probe, controlData, all, context);
                    parts.Oracles.Add(oracle = new OracleResult(name, task, control));
                    context.Progress.Report(new ProgressReport("probe × ranking grid", ++done, total, "probes"));
                }
                var correct = new Dictionary<(string Ranking, string Selection, int K), bool[]>();
                foreach (var (rankingName, selection, columns) in selections)
                    foreach (int k in probeKs[probe])
                    {
                        ct.ThrowIfCancellationRequested();
                        var cols = columns(k);
                        var (task, items) = EvaluateItems(probe, data, cols, context);
                        var control = controlData is null ? SplitAccuracies.None : Evaluate(probe, controlData, cols, context);
                        parts.Cells.Add(new GridCell(rankingName, selection, name, k, task, control));
                        correct[(rankingName, selection, k)] = items;
                        context.Progress.Report(new ProgressReport("probe × ranking grid", ++done, total, "probes"));
                    }
                var randomMean = new Dictionary<int, double[]>();
                foreach (int k in randomOrders.Length == 0 ? [] : probeKs[probe])
                {
                    var draws = new List<RandomDraw>();
                    double[]? itemMean = null;
                    for (int i = 0; i < randomOrders.Length; i++)
                    {
                        ct.ThrowIfCancellationRequested();
                        var cols = randomOrders[i].AsSpan(0, k).ToArray();
                        var (task, items) = EvaluateItems(probe, data, cols, context);
                        // control accuracy of the first draw only: selectivity of random-k is a side figure
                        var control = controlData is null || i > 0 ? SplitAccuracies.None : Evaluate(probe, controlData, cols, context);
                        draws.Add(new RandomDraw(i, seeds[i], task, control));
                        itemMean ??= new double[items.Length];
                        for (int t = 0; t < items.Length; t++) if (items[t]) itemMean[t] += 1.0 / randomOrders.Length;
                        context.Progress.Report(new ProgressReport("probe × ranking grid", ++done, total, "probes"));
                    }
                    randomMean[k] = itemMean!;
                    var summary = SampleSummary.Of(draws.Select(x => x.Task.HeldOut));
                    parts.Random.Add(new RandomBaseline(name, k, draws, summary));
                    static double Mean(IEnumerable<double> v) => v.Where(x => !double.IsNaN(x)).DefaultIfEmpty(double.NaN).Average();
                    var mean = new SplitAccuracies(Mean(draws.Select(x => x.Task.Train)), Mean(draws.Select(x => x.Task.Dev)), Mean(draws.Select(x => x.Task.Test)));
                    parts.Cells.Add(new GridCell(RandomSel, RandomSel, name, k, mean, draws[0].Control));
                }
                parts.Comparisons.AddRange(Compare(name, probeKs[probe], rankings, correct, randomMean, parts, options, seed, ct));
                if (oracle is not null)
                    foreach (var r in rankings)
                    {
                        ct.ThrowIfCancellationRequested();
                        // A ranking may order only part of the neurons: the search stops at its length, and
                        // its top-d is the oracle only when it orders them all.
                        var known = parts.Cells.Where(c => c.Ranking == r.Method && c.Selection == Top && c.Probe == name).Select(c => (c.K, c.Task));
                        if (r.Order.Count == d) known = known.Append((d, oracle.Task));
                        int[] Cols(int k) => RankingCuts.Top(r, k, seed).Select(n => n.Column).ToArray();
                        var search = new MinimalNeuronSet.Search(r, name, r.Order.Count, k =>
                        {
                            ct.ThrowIfCancellationRequested();
                            context.Progress.Report(new ProgressReport($"minimal set search ({r.Method}, {name})", 0, 1, "k = " + k));
                            return Evaluate(probe, data, Cols(k), context);
                        }, known);
                        var (set, fractions) = MinimalNeuronSet.Find(search, oracle, options.MinimalSetMargin, options.OracleFractions,
                            controlData is null ? null : k => Evaluate(probe, controlData, Cols(k), context), seed);
                        parts.Minimal.Add(set);
                        parts.Fractions.AddRange(fractions);
                    }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e)
            {
                // This probe's remaining cells are skipped; the cells it finished stay.
                string reason = FailureReason(e);
                failures.Add(new PluginFailure(name, PluginKind.Probe, reason));
                context.Log.Warn($"grid: probe '{name}' failed: {reason}");
                done = doneBefore + planned;
                context.Progress.Report(new ProgressReport("probe × ranking grid", done, total, "probes"));
            }
        }
    }

    /// <summary>Paired tests over the held-out tokens at every k: each ranking's top against the
    /// mean of the random draws (and against their spread) and against its own bottom, and every
    /// pair of rankings' tops.</summary>
    private static IEnumerable<SelectionComparison> Compare(string probe, List<int> ks, List<Ranking> rankings,
        Dictionary<(string Ranking, string Selection, int K), bool[]> correct, Dictionary<int, double[]> randomMean,
        GridParts parts, GridOptions options, ulong seed, CancellationToken ct)
    {
        static double[] AsDouble(bool[] b) => b.Select(x => x ? 1.0 : 0.0).ToArray();
        foreach (int k in ks)
        {
            var baseline = parts.Random.FirstOrDefault(b => b.Probe == probe && b.K == k);
            foreach (var r in rankings.Where(r => r.Method != RandomSel))
            {
                ct.ThrowIfCancellationRequested();
                if (!correct.TryGetValue((r.Method, Top, k), out var top)) continue;
                double topAcc = top.Length == 0 ? double.NaN : top.Count(x => x) / (double)top.Length;
                if (randomMean.TryGetValue(k, out var rand) && rand.Length == top.Length)
                    yield return new SelectionComparison(ComparisonKind.TopVsRandom, probe, k, r.Method, RandomSel,
                        PairedTest.Compare(AsDouble(top), rand, seed, options.TestRounds),
                        baseline is null ? double.NaN : BaselineDraws.PValueAgainstDraws(topAcc, baseline.HeldOut));
                if (correct.TryGetValue((r.Method, BottomSel, k), out var bottom))
                    yield return new SelectionComparison(ComparisonKind.TopVsBottom, probe, k, r.Method, r.Method,
                        PairedTest.Compare(AsDouble(top), AsDouble(bottom), seed, options.TestRounds), double.NaN);
            }
            var tops = rankings.Where(r => correct.ContainsKey((r.Method, Top, k))).ToList();
            for (int i = 0; i < tops.Count; i++)
                for (int j = i + 1; j < tops.Count; j++)
                {
                    ct.ThrowIfCancellationRequested();
                    yield return new SelectionComparison(ComparisonKind.RankingVsRanking, probe, k, tops[i].Method, tops[j].Method,
                        PairedTest.Compare(AsDouble(correct[(tops[i].Method, Top, k)]), AsDouble(correct[(tops[j].Method, Top, k)]), seed, options.TestRounds),
                        double.NaN);
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
    public static SplitAccuracies Evaluate(IProbe probe, ProbingData data, int[] columns, IPluginContext context) =>
        EvaluateItems(probe, data, columns, context).Accuracies;

    /// <summary><see cref="Evaluate"/>, and which held-out tokens (test, else dev, else train —
    /// the split of <see cref="SplitAccuracies.HeldOut"/>) the probe got right: the items of the
    /// paired comparisons.</summary>
    public static (SplitAccuracies Accuracies, bool[] HeldOutCorrect) EvaluateItems(IProbe probe, ProbingData data, int[] columns, IPluginContext context)
    {
        string Where() => $"probe '{probe.Info.Name}' on {columns.Length} neuron(s) of task '{data.Task}'";
        if (probe is IHeldRowsProbe held)
        {
            (SplitAccuracies Accuracies, bool[] HeldOutCorrect) scores;
            try { scores = held.EvaluateItems(data, columns, context); }
            catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested) { throw; }
            catch (Exception e) { throw new GridException($"{Where()}: {FailureReason(e)}", e); }
            if (PluginOutputCheck.HeldScores(scores.Accuracies.Train, scores.Accuracies.Dev, scores.Accuracies.Test, scores.HeldOutCorrect, data) is { } problem)
                throw new GridException($"{Where()}: {problem}");
            return scores;
        }
        ITrainedProbe trained;
        try { trained = probe.Train(data, columns, context); }
        catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested) { throw; }
        catch (Exception e) { throw new GridException($"{Where()}: {FailureReason(e)}", e); }
        var heldOut = data.Test is { Tokens: > 0 } ? data.Test : data.Dev is { Tokens: > 0 } ? data.Dev : data.Train;
        bool[] heldOutCorrect = [];
        double Acc(DataSplit? s, string name)
        {
            if (s is null || s.Tokens == 0) return double.NaN;
            int[] predicted;
            try { predicted = trained.Predict(s.Activations); }
            catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested) { throw; }
            catch (Exception e) { throw new GridException($"{Where()}: predicting {name}: {FailureReason(e)}", e); }
            if (PluginOutputCheck.Predictions(predicted, s.Tokens, data.ClassCount, name) is { } problem)
                throw new GridException($"{Where()}: {problem}");
            if (ReferenceEquals(s, heldOut))
            {
                var labels = s.Labels.Span;
                heldOutCorrect = new bool[predicted.Length];
                for (int i = 0; i < predicted.Length; i++) heldOutCorrect[i] = predicted[i] == labels[i];
            }
            return ProbeReport.FromPredictions(s.Labels.Span, predicted, data.ClassNames).Accuracy;
        }
        return (new SplitAccuracies(Acc(data.Train, "train"), Acc(data.Dev, "dev"), Acc(data.Test, "test")), heldOutCorrect);
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
