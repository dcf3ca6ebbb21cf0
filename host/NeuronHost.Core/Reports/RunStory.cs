using System.Globalization;

namespace NeuronHost.Core.Reports;

/// <summary>The two questions a reader brings to a run — which neurons encode the property, and
/// does the model use them — answered in plain sentences generated from the numbers, each number
/// beside what it must be judged against, and the caveats the numbers call for
/// (<see cref="SummaryFlags"/>).</summary>
public sealed class RunStory
{
    public List<string> Encoding { get; } = [];
    public List<string> Use { get; } = [];
    public List<string> Caveats { get; } = [];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static string F(double v, string f = "0.000") => v.ToString(f, Inv);

    public static RunStory Of(RunResults r)
    {
        var story = new RunStory();
        story.WriteEncoding(r);
        story.WriteUse(r);
        story.Caveats.AddRange(SummaryFlags.Of(r));
        story.Caveats.AddRange(SummaryFlags.Caveats(r));
        return story;
    }

    /// <summary>Half-width of the 95 % normal-approximation binomial interval of an accuracy p on n words.</summary>
    public static double BinomialHalfWidth(double p, long n) => n <= 0 ? double.NaN : 1.96 * Math.Sqrt(p * (1 - p) / n);

    private void WriteEncoding(RunResults r)
    {
        var id = r.Identity;
        string task = id.Task.Length > 0 ? id.Task : "the property";
        double? majority = Baselines.Majority(r), chance = Baselines.Chance(r);
        string against = (majority, chance) switch
        {
            ({ } m, { } c) => $"always guessing the most frequent class scores {F(m)} and uniform chance over {id.Classes.Count} classes {F(c)}",
            ({ } m, null) => $"always guessing the most frequent class scores {F(m)}",
            (null, { } c) => $"uniform chance over {id.Classes.Count} classes is {F(c)}",
            _ => "no majority-class baseline was recorded",
        };
        foreach (var o in r.Oracle.Where(o => o.TestAccuracy is not null))
        {
            double acc = o.TestAccuracy!.Value;
            string interval = id.TestTokens > 0 ? $" (±{F(BinomialHalfWidth(acc, id.TestTokens))} at 95 % on {id.TestTokens:N0} held-out words)" : "";
            string verdict = majority is { } m0 && acc <= m0 ? " — no better than the majority class, so these neurons show no sign of encoding it"
                : majority is { } m1 && acc - m1 < 0.05 ? " — barely above the majority class" : "";
            string control = o.ControlAccuracy is { } ca && o.Selectivity is { } sel
                ? $" On the control task (a fixed random label per word type) the same probe reaches {F(ca)}: selectivity {sel.ToString("+0.000;-0.000", Inv)}."
                : "";
            Encoding.Add($"A {o.Probe} reading all {o.Neurons:N0} neurons predicts {task} with {F(acc)} held-out accuracy{interval}; {against}{verdict}.{control}");
        }
        if (r.Oracle.Count == 0 && r.Accuracy.Count == 0)
            Encoding.Add($"No probe was trained, so this run does not measure how well these neurons predict {task}: the rankings below order the neurons, but only a probe's held-out accuracy against the majority class says whether they encode it.");
        if (r.Oracle.Count == 0 && r.Accuracy.Count > 0) Encoding.Add($"No probe was trained on all neurons; {against}.");

        var randomByProbeK = Baselines.RandomDraws(r);
        foreach (var probe in r.Accuracy.Select(a => a.Probe).Distinct())
        {
            var top = r.Accuracy.Where(a => a.Probe == probe && a.Selection == Selection.Top && a.TestAccuracy is not null && a.Ranking != Selection.Random).ToList();
            var ks = top.Select(a => a.K).Distinct().Order().ToList();
            if (ks.Count == 0) continue;
            foreach (int k in ks.Count > 1 ? new[] { ks[0], ks[^1] } : new[] { ks[0] })
            {
                var atK = top.Where(a => a.K == k).OrderByDescending(a => a.TestAccuracy).ToList();
                var best = atK[0];
                double acc = best.TestAccuracy!.Value;
                string others = atK.Count > 1 ? $" (other rankings: {string.Join(", ", atK.Skip(1).Select(a => $"{a.Ranking} {F(a.TestAccuracy!.Value)}"))})" : "";
                string sentence = $"With only the top {k} neuron{(k == 1 ? "" : "s")} of the {best.Ranking} ranking, the {probe} reaches {F(acc)}{others}";
                if (randomByProbeK.TryGetValue((probe, k), out var random))
                {
                    sentence += $"; {k} random neuron{(k == 1 ? " reaches" : "s reach")} {random.Describe()}";
                    sentence += " — " + CompareToRandom(acc, random, id.TestTokens);
                }
                if (majority is { } m && acc < m) sentence += $"; below the majority class ({F(m)})";
                Encoding.Add(sentence + ".");
            }
        }

        foreach (var m in r.MinimalSets.Where(m => m.Reached))
            Encoding.Add($"The smallest top-k of {m.Ranking} that brings the {m.Probe} within {F(m.Margin)} of its all-neuron accuracy is k = {m.K} " +
                $"({F(m.Accuracy)} vs {F(m.OracleAccuracy)}); by layer: {string.Join(", ", m.Layers.Select(l => $"L{l.Layer} {l.Count}"))}.");
        var notReached = r.MinimalSets.Where(m => !m.Reached).Select(m => $"{m.Ranking}/{m.Probe}").ToList();
        if (notReached.Count > 0)
            Encoding.Add($"No top-k on the k grid comes within the margin of the all-neuron accuracy for {string.Join(", ", notReached)}: the property is spread over more neurons than the grid's largest k.");

        // Which neurons: the best ranking at the smallest k, its first few neurons and their words.
        var lead = r.Accuracy.Where(a => a.Selection == Selection.Top && a.TestAccuracy is not null && a.Ranking != Selection.Random)
            .OrderBy(a => a.K).ThenByDescending(a => a.TestAccuracy).FirstOrDefault();
        var ranking = r.Rankings.FirstOrDefault(k => k.Name == lead?.Ranking) ?? r.Rankings.FirstOrDefault(k => k.Neurons.Count > 0);
        if (ranking is { Neurons.Count: > 0 })
        {
            var first = ranking.Neurons.Take(5).ToList();
            string words = "";
            var ctx = r.TopNeuronContexts.FirstOrDefault(c => c.Ranking == ranking.Name && c.Rank == first[0].Rank);
            if (ctx is { Examples.Count: > 0 })
                words = $"; {first[0].Neuron} fires most on " + string.Join(", ", ctx.Examples.Take(4).Select(e => $"“{e.Word}”" + (e.Label is null ? "" : $" ({e.Label})")));
            Encoding.Add($"The neurons {ranking.Name} ranks highest: {string.Join(", ", first.Select(n => n.Neuron))}{words}.");
        }
    }

    /// <summary>Top-k accuracy against the random-k baseline: the draws' 95 % range when there
    /// are several, else the binomial noise of two accuracies on the same test words.</summary>
    public static string CompareToRandom(double acc, Spread random, long testWords)
    {
        if (random.HasInterval)
            return acc > random.High ? "above every random draw's 95 % range: the ranking found informative neurons"
                : acc < random.Low ? "below the random draws' range: the ranking's top neurons are worse than random ones"
                : "inside the random draws' range: not distinguishable from random neurons";
        if (testWords <= 0) return "random is one draw, so the difference cannot be judged";
        double noise = 1.96 * Math.Sqrt(acc * (1 - acc) / testWords + random.Mean * (1 - random.Mean) / testWords);
        double gap = acc - random.Mean;
        return Math.Abs(gap) <= noise
            ? $"a gap of {gap.ToString("+0.000;-0.000", Inv)} within binomial noise (±{F(noise)}): not distinguishable from random neurons"
            : $"a gap of {gap.ToString("+0.000;-0.000", Inv)}, beyond binomial noise (±{F(noise)}), though random-k is one draw and its spread over draws is not included";
    }

    private void WriteUse(RunResults r)
    {
        foreach (var iv in r.Interventions)
        {
            if (SkillLine(iv) is { } skill) { Use.Add(skill); continue; }
            if (NegLine(iv) is { } neg) { Use.Add(neg); continue; }
            bool said = false;
            foreach (var t in iv.Tables)
            {
                if (InterventionSelections.Of(t) is not { } sel) continue;
                int kMax = sel.Cells.Max(c => c.K);
                string what = sel.Column == "delta" && sel.Metric is { Length: > 0 } metric
                    ? $"changes {InterventionGlossary.MetricName(metric)} by"
                    : $"changes {InterventionGlossary.MetricName(sel.Column)} by";
                string clean = sel.Metric is { } mm && iv.Summary.TryGetValue($"clean_{mm}", out double c) ? $" (unedited: {F(c, "0.0000")})" : "";
                string scored = iv.Summary.TryGetValue("sentences", out double n) ? $" on {n:0} held-out sentences"
                    : iv.Summary.TryGetValue("items", out double items) ? $" on {items:0} items" : "";
                foreach (var cell in sel.Cells.Where(c => c.K == kMax && c.Top is not null))
                {
                    string s = $"{InterventionGlossary.Verb(iv.Method)} the top {cell.K} neurons of {cell.Ranking} {what} {Signed(cell.Top!.Value)}{scored}{clean}";
                    if (cell.Random is { } rnd) s += $"; {cell.K} random neurons: {Signed(rnd.Mean)}" + (rnd.HasInterval ? $" (95 % of {rnd.Draws} draws in {Signed(rnd.Low!.Value)}…{Signed(rnd.High!.Value)})" : "");
                    if (cell.Bottom is { } b) s += $"; the bottom {cell.K}: {Signed(b)}";
                    s += cell.Random switch
                    {
                        { HasInterval: true } rr when rr.Excludes(cell.Top.Value) == true =>
                            cell.Top > rr.High ? " — a larger effect than random neurons: the model uses them more" : " — a smaller effect than random neurons",
                        { HasInterval: true } => " — inside the random draws' range: not distinguishable from random neurons",
                        not null => " — random-k is a single draw, so whether this differs from random neurons is not established",
                        null => "",
                    };
                    Use.Add(s + ".");
                }
                said = true;
            }
            if (!said && iv.Summary.Count > 0)
                Use.Add($"{iv.Method}: " + string.Join("; ", iv.Summary.Take(4).Select(kv => $"{InterventionGlossary.Describe(kv.Key)} = {F(kv.Value, "G4")}")) + ".");
        }
        if (r.Interventions.Count == 0)
            Use.Add("No intervention was run, so this report cannot say whether the model uses these neurons: a probe shows only that the information is there.");
    }

    private static string Signed(double v) => double.IsFinite(v) ? v.ToString("+0.0000;-0.0000;0", Inv) : "–";

    private static string? NegLine(InterventionResult i)
    {
        var s = i.Summary;
        if (!s.TryGetValue("pearson_neg_vs_neurgrad", out double p)) return null;
        string n = s.TryGetValue("neurons_measured", out double nn) ? $" over {nn:0} neurons" : "";
        string lin = s.TryGetValue("median_linearity_r", out double l) ? $"; the median linearity |r| of p(target) against a neuron's shift is {F(l, "0.0000")} (1 = linear)" : "";
        string mag = s.TryGetValue("mean_abs_neg", out double a) ? $"; one unit of one neuron moves p(target) by {F(a, "0.0e0")} on average" : "";
        return $"{i.Method}: the measured neuron gradient agrees with NeurGrad's one-pass estimate, Pearson r = {F(p, "0.00000")}{n}{lin}{mag}.";
    }

    /// <summary>The skill-neuron line: held-out accuracy first, beside train, the model's own on the
    /// same prompts, and the exact binomial p-value against uniform chance.</summary>
    public static string? SkillLine(InterventionResult i)
    {
        var s = i.Summary;
        if (!s.TryGetValue("skill_neuron_accuracy_test", out double test)) return null;
        string train = s.TryGetValue("skill_neuron_accuracy_train", out double tr) ? $" (train {F(tr)})" : "";
        string model = s.TryGetValue("model_accuracy_test", out double m) ? $"; the model's own answers {F(m)}" : "";
        string majority = s.TryGetValue("majority_answer_rate", out double maj) ? $"; always the most frequent answer {F(maj)}" : "";
        string count = s.TryGetValue("test_prompts", out double n) ? $" on {n:0} held-out test prompts" : "";
        string k = s.TryGetValue("top_k", out double kk) ? $"{kk:0} " : "";
        string chance = s.TryGetValue("skill_neuron_test_p_above_chance", out double p) && s.TryGetValue("uniform_chance_test", out double c)
            ? $"; chance {F(c)}, one-sided binomial p = {F(p)}" + (p >= 0.05 ? " — not distinguishable from chance" : "") : "";
        string verdict = s.ContainsKey("model_accuracy_test") && test < m
            ? " — below the model itself: the skill neurons alone do not carry what the model uses" : "";
        return $"{i.Method}: {k}skill neurons score {F(test)}{count}{train}{chance}{model}{majority}{verdict}";
    }
}

/// <summary>What every accuracy is judged against.</summary>
public static class Baselines
{
    public static double? Majority(RunResults r) => r.Oracle.Select(o => o.MajorityBaseline).FirstOrDefault(m => m is not null);
    public static double? Chance(RunResults r) => r.Identity.Classes.Count > 0 ? 1.0 / r.Identity.Classes.Count : null;

    /// <summary>Random-k accuracy per probe and k: from the run's seeded draws (results.json
    /// <c>randomBaselines</c>) when it has them; in older results, from repeated random rows of one
    /// ranking (rows of different rankings with the same k are copies of one draw, not draws, so the
    /// ranking with the most rows is taken).</summary>
    public static Dictionary<(string Probe, int K), Spread> RandomDraws(RunResults r) =>
        r.RandomBaselines.Count > 0
            ? r.RandomBaselines.Where(b => b.Values.Any(v => v.TestAccuracy is not null))
                .GroupBy(b => (b.Probe, b.K))
                .ToDictionary(g => g.Key, g => Spread.Of(g.First().Values.Where(v => v.TestAccuracy is not null).Select(v => v.TestAccuracy!.Value))!)
            : r.Accuracy.Where(a => a.Selection == Selection.Random && a.TestAccuracy is not null)
            .GroupBy(a => (a.Probe, a.K))
            .ToDictionary(g => g.Key, g => Spread.Of(g.GroupBy(a => a.Ranking).OrderByDescending(x => x.Count()).First().Select(a => a.TestAccuracy!.Value))!);
}
