using System.Globalization;
using NeuronHost.Core.Reports;
using NeuronHost.Sdk.Statistics;

namespace NeuronHost.Core.Reproduce;

/// <summary>The five seed findings read from the runs' results.json: each effect is a number the
/// pipeline already computed (paired comparisons, intervention tables) or a closed-form interval
/// around such numbers (stated in the row); the verdict follows from the intervals alone
/// (<see cref="Verdicts.Of"/>). A run that was skipped or a plugin that failed gives "cannot tell"
/// with the reason.</summary>
public static class FindingRules
{
    private const double Z95 = 1.959963984540054;
    public const string LinearProbe = "linear-probe", GaussianProbe = "gaussian-probe";
    public const string Probeless = "probeless", Linear = "linear", Gaussian = "gaussian";

    /// <summary>A run's results, or why there are none.</summary>
    public sealed record RunOutcome(string Name, RunResults? Results, string? Missing);

    public static List<Finding> Evaluate(IReadOnlyDictionary<string, RunOutcome> runs)
    {
        var rows = new List<Finding>();
        rows.Add(ProbeIsNotRanking(runs[ReproducePlan.Easy]));
        rows.AddRange(EncodedIsNotUsed(runs[ReproducePlan.Number]));
        rows.AddRange(AblationOrdering(runs[ReproducePlan.Easy]));
        rows.AddRange(MinimalSets(runs[ReproducePlan.Easy], runs[ReproducePlan.Hard]));
        rows.AddRange(Neg(runs[ReproducePlan.Number]));
        foreach (var r in rows)
        {
            if (r.Intervals.Count == 0) { r.Verdict = Verdicts.CannotTell; continue; }
            r.Verdict = Verdicts.Of(r.Intervals);
            if (r.Verdict == Verdicts.CannotTell && r.Reason.Length == 0) r.Reason = "an interval includes its null: not distinguishable at this size";
        }
        return rows;
    }

    // (a) Antverg & Belinkov: a ranking's quality depends on the probe that judges it.
    private static Finding ProbeIsNotRanking(RunOutcome easy)
    {
        var f = new Finding
        {
            Id = "a", Title = "probe ≠ ranking", Paper = "Antverg & Belinkov 2022",
            Claim = "which ranking looks best depends on the probe: ranking A beats B under one probe and loses to it under the other",
        };
        if (Unavailable(easy, f, "probe × ranking grid")) return f;
        var pairs = easy.Results!.Comparisons.Where(c => c.Kind == "ranking_vs_ranking" && c.MeanDifference is not null).ToList();
        var joined = (from l in pairs.Where(c => c.Probe == LinearProbe)
                      join g in pairs.Where(c => c.Probe == GaussianProbe) on (l.A, l.B, l.K) equals (g.A, g.B, g.K)
                      select (L: l, G: g)).ToList();
        if (joined.Count == 0) { f.Reason = "no ranking-vs-ranking comparisons under both probes in results.json"; return f; }
        // The pair and k whose point estimates reverse most strongly (else the largest k's most separated pair).
        var reversed = joined.Where(j => Math.Sign(j.L.MeanDifference!.Value) * Math.Sign(j.G.MeanDifference!.Value) < 0).ToList();
        var pick = reversed.Count > 0
            ? reversed.MaxBy(j => Math.Min(Math.Abs(j.L.MeanDifference!.Value), Math.Abs(j.G.MeanDifference!.Value)))
            : joined.Where(j => j.L.K == joined.Max(x => x.L.K)).MaxBy(j => Math.Abs(j.L.MeanDifference!.Value));
        int dir = pick.L.MeanDifference!.Value >= 0 ? 1 : -1;
        f.Intervals =
        [
            Interval($"{pick.L.A} − {pick.L.B}, {LinearProbe}, k = {pick.L.K}", pick.L, dir),
            Interval($"{pick.G.A} − {pick.G.B}, {GaussianProbe}, k = {pick.G.K}", pick.G, -dir),
        ];
        f.Effect = $"accuracy {pick.L.A} − {pick.L.B} at k = {pick.L.K}: {Ci(pick.L)} under {LinearProbe}, {Ci(pick.G)} under {GaussianProbe}";
        f.Reason = $"the pair and k whose estimates reverse most strongly, of {joined.Count} (pair, k) cells; no correction for that choice"
            + (reversed.Count == 0 ? "; no pair's estimates reverse" : "");
        f.Source = "runs/easy results.json comparisons (ranking_vs_ranking)";
        return f;
    }

    // (b) Antverg & Belinkov: what a probe finds is not what the model uses; Probeless's neurons are used more.
    private static IEnumerable<Finding> EncodedIsNotUsed(RunOutcome number)
    {
        foreach (var other in new[] { Linear, Gaussian })
        {
            var f = new Finding
            {
                Id = other == Linear ? "b1" : "b2", Title = $"encoded ≠ used ({Probeless} vs {other})", Paper = "Antverg & Belinkov 2022",
                Claim = $"translating Number in {Probeless}'s top neurons moves the model's agreeing verb more than in {other}'s",
            };
            if (!Unavailable(number, f, "translation") && Table(number, "translation", "translation_comparisons") is { } t)
            {
                var rows = t.Rows.Where(r => Str(t, r, "comparison") == "ranking_vs_ranking"
                    && new[] { Str(t, r, "ranking"), Str(t, r, "versus") }.Order().SequenceEqual(new[] { Probeless, other }.Order())).ToList();
                if (rows.Count == 0) f.Reason = $"no {Probeless} vs {other} rows in translation_comparisons";
                else
                {
                    var row = rows.MaxBy(r => Num(t, r, "k"));
                    double sign = Str(t, row!, "ranking") == Probeless ? 1 : -1;
                    double m = sign * Num(t, row!, "mean_difference"), lo = sign * Num(t, row!, sign > 0 ? "low95" : "high95"), hi = sign * Num(t, row!, sign > 0 ? "high95" : "low95");
                    int k = (int)Num(t, row!, "k");
                    f.Intervals = [new FindingInterval { Label = $"log-odds shift {Probeless} − {other}, k = {k}", Estimate = m, Low95 = lo, High95 = hi, Null = 0, Direction = 1 }];
                    f.Effect = $"mean log-odds shift toward the other Number, {Probeless} − {other} at k = {k}: {Ci(m, lo, hi)} nats ({Num(t, row!, "items"):0} items, paired bootstrap)";
                    f.Source = "runs/number intervention translation: translation_comparisons (ranking_vs_ranking)";
                }
            }
            yield return f;
        }
    }

    // (c) Dalvi et al.: ablating top neurons hurts more than random, which hurts more than bottom.
    private static IEnumerable<Finding> AblationOrdering(RunOutcome easy)
    {
        var t = easy.Results is null ? null : Table(easy, "ablation", "ablation_comparisons");
        var rankings = t is null ? [Probeless, Linear, Gaussian]
            : t.Rows.Select(r => Str(t, r, "ranking")).Distinct().ToList();
        string metric = easy.Results is not null && Table(easy, "ablation", "ablation") is { } a && a.Rows.Count > 0 ? Str(a, a.Rows[0], "metric") : "the output";
        foreach (var ranking in rankings)
        {
            var f = new Finding
            {
                Id = "c", Title = $"ablation ordering ({ranking})", Paper = "Dalvi et al. 2019",
                Claim = "ablating a ranking's top-k neurons damages the model's output more than random-k, and random-k more than bottom-k",
            };
            if (!Unavailable(easy, f, "ablation") && t is not null)
            {
                var mine = t.Rows.Where(r => Str(t, r, "ranking") == ranking).ToList();
                int k = mine.Count == 0 ? 0 : (int)mine.Max(r => Num(t, r, "k"));
                var random = mine.FirstOrDefault(r => (int)Num(t, r, "k") == k && Str(t, r, "comparison") == "top_vs_random");
                var bottom = mine.FirstOrDefault(r => (int)Num(t, r, "k") == k && Str(t, r, "comparison") == "top_vs_bottom");
                if (random is null || bottom is null) f.Reason = $"no top_vs_random/top_vs_bottom rows for {ranking}";
                else
                {
                    f.Intervals =
                    [
                        Interval(t, random, $"Δ{metric} top − random, k = {k}"),
                        Interval(t, bottom, $"Δ{metric} top − bottom, k = {k}"),
                    ];
                    f.Effect = $"Δ {metric} at k = {k}: top − random {Ci(f.Intervals[0])}, top − bottom {Ci(f.Intervals[1])} ({Num(t, random, "items"):0} sentences, paired)";
                    f.Reason = "random vs bottom is not tested separately; top outside the random draws' spread: p = "
                        + Num(t, random, "draw_p_value").ToString("0.###", CultureInfo.InvariantCulture);
                    f.Source = "runs/easy intervention ablation: ablation_comparisons";
                }
            }
            yield return f;
        }
    }

    // (d) Durrani et al.: harder tasks need more neurons, spread into higher layers.
    private static IEnumerable<Finding> MinimalSets(RunOutcome easy, RunOutcome hard)
    {
        var need = new Finding
        {
            Id = "d1", Title = "minimal sets: task difficulty", Paper = "Durrani et al. 2020",
            Claim = "a harder task needs more neurons: at the same k the easier task's top neurons come closer to its all-neuron oracle",
        };
        var layers = new Finding
        {
            Id = "d2", Title = "minimal sets: layer distribution", Paper = "Durrani et al. 2020",
            Claim = "the harder task's minimal neuron set lies in higher layers than the easier task's",
        };
        if (Unavailable(easy, need, "grid") | Unavailable(hard, need, "grid"))
        {
            layers.Reason = need.Reason;
            return [need, layers];
        }
        var e = easy.Results!; var h = hard.Results!;
        var gap = FractionGap(e, h);
        if (gap is null) need.Reason = $"no top-k test accuracies of {Linear} × {LinearProbe} at a common k, or no oracle";
        else
        {
            need.Intervals = [gap.Value.Interval];
            need.Effect = $"fraction of the oracle at k = {gap.Value.K}: {e.Identity.Task} {gap.Value.Easy:0.000} vs {h.Identity.Task} {gap.Value.Hard:0.000}, "
                + $"gap {Ci(gap.Value.Interval)}; neurons to 95% of the oracle (dev): {ToFraction(e)} vs {ToFraction(h)}";
            need.Reason = $"k chosen on dev (smallest k where {e.Identity.Task} reaches 95% of its oracle); interval: normal approximation of each test accuracy, oracles fixed; "
                + $"oracles {Oracle(e)?.TestAccuracy:0.000} vs {Oracle(h)?.TestAccuracy:0.000}";
            need.Source = "runs/easy, runs/hard results.json accuracy (top, linear × linear-probe), oracle, identity.testTokens";
        }
        var se = MinimalSet(e); var sh = MinimalSet(h);
        if (se is null || sh is null) layers.Reason = $"no minimal set of {Linear} × {LinearProbe} in one of the runs";
        else
        {
            var iv = LayerShift(se, sh);
            layers.Intervals = [iv];
            layers.Effect = LayerEffect(h.Identity.Task, sh, e.Identity.Task, se, iv);
            layers.Reason = "Welch normal interval treating the set's neurons as independent draws"
                + (se.Reached && sh.Reached ? "" : "; a minimal set did not reach its oracle within the margin");
            layers.Source = "runs/easy, runs/hard results.json minimalSets (linear × linear-probe)";
        }
        return [need, layers];
    }

    // (e) Zhao et al.: Δp is linear in the shift (NEG), and one backward pass (NeurGrad) estimates it.
    private static IEnumerable<Finding> Neg(RunOutcome number)
    {
        var lin = new Finding
        {
            Id = "e1", Title = "NEG linearity", Paper = "Zhao et al. 2025",
            Claim = "for most neurons Δp(target) is linear in the activation shift (|r| > 0.9); null: at most half are",
        };
        var grad = new Finding
        {
            Id = "e2", Title = "NeurGrad ≈ NEG", Paper = "Zhao et al. 2025",
            Claim = "NeurGrad (one backward pass) estimates the empirical NEG: correlation over neurons above 0.9 (the null: ρ ≤ 0.9)",
        };
        if (Unavailable(number, lin, "neg") | Unavailable(number, grad, "neg") || Table(number, "neg", "neg") is not { } t || t.Rows.Count < 4)
        {
            if (lin.Reason.Length == 0) lin.Reason = grad.Reason = "no neg table in results.json";
            return [lin, grad];
        }
        var r = t.Rows.Select(row => Num(t, row, "linearity_r")).ToList();
        var w = ProportionInterval.Wilson(r.Count(x => x > 0.9), r.Count);
        lin.Intervals = [new FindingInterval { Label = "fraction of neurons with |r| > 0.9", Estimate = w.Rate, Low95 = w.Low95, High95 = w.High95, Null = 0.5, Direction = 1 }];
        lin.Effect = $"fraction with |r| > 0.9: {w.K}/{w.N} = {Ci(lin.Intervals[0])} (Wilson), median |r| {Median(r):0.0000}";
        lin.Source = "runs/number intervention neg: neg table (linearity_r)";
        var neg = t.Rows.Select(row => Num(t, row, "neg")).ToArray();
        var ng = t.Rows.Select(row => Num(t, row, "neurgrad")).ToArray();
        double rho = Pearson(neg, ng);
        var fz = CorrelationTest.Interval(rho, neg.Length);
        grad.Intervals = [new FindingInterval { Label = "Pearson(NEG, NeurGrad)", Estimate = rho, Low95 = fz.Low95, High95 = fz.High95, Null = 0.9, Direction = 1 }];
        grad.Effect = $"Pearson(NEG, NeurGrad) over {neg.Length} neurons: {Ci(grad.Intervals[0])} (Fisher z)";
        grad.Source = "runs/number intervention neg: neg table (neg, neurgrad)";
        return [lin, grad];
    }

    // ---- numbers behind (d) ----

    public readonly record struct Gap(int K, double Easy, double Hard, FindingInterval Interval);

    /// <summary>Top-k test accuracy ÷ oracle test accuracy of both tasks at the k where the easy task
    /// first reaches 95% of its oracle on dev; the interval treats the oracles as fixed.</summary>
    public static Gap? FractionGap(RunResults e, RunResults h)
    {
        var oe = Oracle(e); var oh = Oracle(h);
        if (oe?.TestAccuracy is not double oeTest || oh?.TestAccuracy is not double ohTest || oe.DevAccuracy is not double oeDev) return null;
        var top = (RunResults r) => r.Accuracy.Where(p => p.Ranking == Linear && p.Probe == LinearProbe && p.Selection == Selection.Top && p.TestAccuracy is not null)
            .ToDictionary(p => p.K);
        var te = top(e); var th = top(h);
        var ks = te.Keys.Intersect(th.Keys).Order().ToList();
        if (ks.Count == 0) return null;
        int k = ks.FirstOrDefault(k => te[k].DevAccuracy >= 0.95 * oeDev, ks[^1]);
        double pe = te[k].TestAccuracy!.Value, ph = th[k].TestAccuracy!.Value;
        double fe = pe / oeTest, fh = ph / ohTest;
        double se = Math.Sqrt(pe * (1 - pe) / e.Identity.TestTokens / (oeTest * oeTest) + ph * (1 - ph) / h.Identity.TestTokens / (ohTest * ohTest));
        return new Gap(k, fe, fh, new FindingInterval
        {
            Label = $"fraction of oracle at k = {k}, {e.Identity.Task} − {h.Identity.Task}",
            Estimate = fe - fh, Low95 = fe - fh - Z95 * se, High95 = fe - fh + Z95 * se, Null = 0, Direction = 1,
        });
    }

    public static FindingInterval LayerShift(MinimalSetResult easy, MinimalSetResult hard)
    {
        var (me, ve, ne) = Moments(easy.Layers); var (mh, vh, nh) = Moments(hard.Layers);
        double se = Math.Sqrt(ve / ne + vh / nh), d = mh - me;
        return new FindingInterval { Label = "mean layer, hard − easy", Estimate = d, Low95 = d - Z95 * se, High95 = d + Z95 * se, Null = 0, Direction = 1 };
    }

    private static (double Mean, double Var, int N) Moments(List<LayerCount> counts)
    {
        int n = counts.Sum(c => c.Count);
        double mean = counts.Sum(c => (double)c.Layer * c.Count) / n;
        double var = n < 2 ? 0 : counts.Sum(c => c.Count * (c.Layer - mean) * (c.Layer - mean)) / (n - 1);
        return (mean, var, n);
    }

    public static OracleResult? Oracle(RunResults r) => r.Oracle.FirstOrDefault(o => o.Probe == LinearProbe);
    public static MinimalSetResult? MinimalSet(RunResults r) => r.MinimalSets.FirstOrDefault(m => m.Ranking == Linear && m.Probe == LinearProbe);

    private static string ToFraction(RunResults r) =>
        r.OracleFractions.FirstOrDefault(o => o.Ranking == Linear && o.Probe == LinearProbe && Math.Abs(o.Fraction - 0.95) < 1e-9) is { } o
            ? (o.Reached ? $"k = {o.K}" : "not reached") : "n/a";

    /// <summary>Each set's layer counts beside its own task and k (they were printed easy-first after a
    /// hard − easy difference, so each list read as the other task's).</summary>
    public static string LayerEffect(string hardTask, MinimalSetResult hard, string easyTask, MinimalSetResult easy, FindingInterval shift) =>
        $"mean layer of the minimal set: {hardTask} (k = {hard.K}, layers {Counts(hard)}) − {easyTask} (k = {easy.K}, layers {Counts(easy)}) = {Ci(shift)}";

    private static string Counts(MinimalSetResult m) => "[" + string.Join(", ", m.Layers.Select(l => $"L{l.Layer}: {l.Count}")) + "]";

    // ---- helpers ----

    /// <summary>Fills the reason and returns true when the run (or the plugin/stage a row needs) has no results.</summary>
    private static bool Unavailable(RunOutcome run, Finding f, string what)
    {
        string? reason = run.Missing;
        if (reason is null && run.Results is { } r)
        {
            if (r.PluginFailures.FirstOrDefault(p => p.Plugin == what || what == "grid" && p.Kind == "probe") is { } failed)
                reason = $"{failed.Kind} '{failed.Plugin}' failed in runs/{run.Name}: {failed.Reason}";
            else if (r.Status != RunStatus.Complete) reason = $"runs/{run.Name} is {r.Status}: {r.StatusMessage}";
        }
        if (reason is null) return false;
        if (f.Reason.Length == 0) f.Reason = reason;
        return true;
    }

    private static TableData? Table(RunOutcome run, string method, string name) =>
        run.Results?.Interventions.FirstOrDefault(i => i.Method == method)?.Tables.FirstOrDefault(t => t.Name == name);

    private static string Str(TableData t, List<object?> row, string column) => Convert.ToString(row[t.ColumnIndex(column)], CultureInfo.InvariantCulture) ?? "";

    private static double Num(TableData t, List<object?> row, string column) => row[t.ColumnIndex(column)] switch
    {
        null => double.NaN,
        string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN,
        var o => Convert.ToDouble(o, CultureInfo.InvariantCulture),
    };

    private static FindingInterval Interval(string label, ComparisonResult c, int direction) => new()
    {
        Label = label, Estimate = c.MeanDifference ?? double.NaN, Low95 = c.Low95 ?? double.NaN, High95 = c.High95 ?? double.NaN, Null = 0, Direction = direction,
    };

    private static FindingInterval Interval(TableData t, List<object?> row, string label) => new()
    {
        Label = label, Estimate = Num(t, row, "mean_difference"), Low95 = Num(t, row, "low95"), High95 = Num(t, row, "high95"), Null = 0, Direction = 1,
    };

    private static string Ci(ComparisonResult c) => Ci(c.MeanDifference ?? double.NaN, c.Low95 ?? double.NaN, c.High95 ?? double.NaN);
    private static string Ci(FindingInterval i) => Ci(i.Estimate, i.Low95, i.High95);
    public static string Ci(double m, double lo, double hi) =>
        string.Create(CultureInfo.InvariantCulture, $"{Fmt(m)} [{Fmt(lo)}, {Fmt(hi)}]");

    private static string Fmt(double v) => double.IsFinite(v)
        ? (Math.Abs(v) >= 0.001 || v == 0 ? v.ToString("0.0000", CultureInfo.InvariantCulture) : v.ToString("0.00e0", CultureInfo.InvariantCulture))
        : "n/a";

    private static double Median(List<double> v)
    {
        var s = v.Where(double.IsFinite).Order().ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static double Pearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my); }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
