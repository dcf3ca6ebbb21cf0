using NeuronHost.Sdk;

namespace NeuronHost.Core.Analysis;

/// <summary>Durrani et al. 2020: the smallest top-k of a ranking whose probe comes within a margin
/// of the probe trained on all neurons, and "neurons to reach X% of the oracle". k is chosen on
/// the dev split (train only when there is no dev split) by a binary search over k between the
/// evaluated k values that bracket the target, not read off the k grid; the test split is only
/// reported. The search assumes accuracy rises with k: it returns a k whose accuracy reaches the
/// target while k − 1 (or the largest evaluated k below it) does not.</summary>
public static class MinimalNeuronSet
{
    /// <summary>Probe accuracies (train/dev/test) of a ranking's top-k for one probe.</summary>
    public delegate SplitAccuracies TopK(int k);

    public sealed class Search(Ranking ranking, string probe, int maxK, TopK evaluate, IEnumerable<(int K, SplitAccuracies Task)> known)
    {
        private readonly SortedDictionary<int, SplitAccuracies> seen = new(known.Where(p => p.K >= 1 && p.K <= maxK).ToDictionary(p => p.K, p => p.Task));
        public Ranking Ranking => ranking;
        public string Probe => probe;
        public IReadOnlyList<int> Evaluated => seen.Keys.ToList();

        public static double Selection(SplitAccuracies a) => double.IsNaN(a.Dev) ? a.Train : a.Dev;
        public static string SelectionSplit(SplitAccuracies a) => double.IsNaN(a.Dev) ? "train" : "dev";

        public SplitAccuracies At(int k)
        {
            if (!seen.TryGetValue(k, out var a)) seen[k] = a = evaluate(k);
            return a;
        }

        /// <summary>The k where the selection accuracy first reaches <paramref name="target"/>
        /// (binary search), or -1 when even <c>maxK</c> does not.</summary>
        public int Smallest(double target)
        {
            if (maxK < 1) return -1;
            int hi = seen.Where(p => Selection(p.Value) >= target).Select(p => p.Key).DefaultIfEmpty(-1).Min();
            if (hi < 0)
            {
                if (Selection(At(maxK)) < target) return -1;
                hi = maxK;
            }
            int lo = seen.Where(p => p.Key < hi && !(Selection(p.Value) >= target)).Select(p => p.Key).DefaultIfEmpty(0).Max();
            while (hi - lo > 1)
            {
                int mid = lo + (hi - lo) / 2;
                if (Selection(At(mid)) >= target) hi = mid; else lo = mid;
            }
            return hi;
        }
    }

    /// <summary>The minimal set (oracle's selection accuracy − margin) and each oracle fraction,
    /// for one ranking × probe. <paramref name="control"/> gives the control-task accuracies of
    /// the chosen top-k (selectivity beside the set), null without a control task.</summary>
    public static (MinimalSet Set, List<OracleFractionPoint> Fractions) Find(Search search, OracleResult oracle, double margin,
        IReadOnlyList<double> fractions, Func<int, SplitAccuracies>? control, ulong seed)
    {
        double oracleSel = Search.Selection(oracle.Task);
        string split = Search.SelectionSplit(oracle.Task);
        int size = search.Smallest(oracleSel - margin);
        var layers = new SortedDictionary<int, int>();
        SplitAccuracies? chosen = size > 0 ? search.At(size) : null;
        if (size > 0)
            foreach (var n in Sdk.Statistics.RankingCuts.Top(search.Ranking, size, seed))
                layers[n.Neuron.Layer] = layers.GetValueOrDefault(n.Neuron.Layer) + 1;
        var points = new List<OracleFractionPoint>();
        foreach (double f in fractions)
        {
            int k = search.Smallest(f * oracleSel);
            var a = k > 0 ? search.At(k) : null;
            points.Add(new OracleFractionPoint(search.Ranking.Method, search.Probe, f, k,
                a is null ? double.NaN : Search.Selection(a), a?.Test ?? double.NaN, split));
        }
        double controlAcc = size > 0 && control is not null ? control(size).HeldOut : double.NaN;
        var set = new MinimalSet(search.Ranking.Method, search.Probe, size, chosen?.HeldOut ?? double.NaN, oracle.Task.HeldOut, margin, layers)
        {
            SelectedOn = split,
            SelectionAccuracy = chosen is null ? double.NaN : Search.Selection(chosen),
            OracleSelectionAccuracy = oracleSel,
            ControlAccuracy = controlAcc,
            Evaluated = search.Evaluated,
        };
        return (set, points);
    }
}
