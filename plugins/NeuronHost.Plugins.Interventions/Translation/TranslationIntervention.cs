using NeuronHost.Plugins.Interventions.Common;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Sdk;
using NeuronHost.Sdk.Statistics;

namespace NeuronHost.Plugins.Interventions.Translation;

/// <summary>Antverg &amp; Belinkov's translation intervention ("encoded is not used"): at the
/// tokens of a subject noun whose attribute (Number) has value z, move the top/random/bottom-k
/// neurons of a ranking toward value z′: h_S ← h_S − α·q(z)_S + α·q(z′)_S (q = class means of
/// the stored activations). The model runs on, and its own prediction at the agreeing verb is
/// read: does it now choose the verb form of z′ (the attribute flipped, the lemma kept), keep the
/// form of z, or predict something else (broken)?</summary>
public sealed class TranslationIntervention : IIntervention
{
    public PluginInfo Info { get; } = new("translation", PluginKind.Intervention,
        "Pitfalls translation of a noun's Number toward the other value; effect on the model's own agreement predictions",
        new Version(1, 0));

    [PluginParameter("morphological attribute translated (its values must be the data's classes)")]
    public string Attribute { get; set; } = "Number";

    [PluginParameter("numbers of neurons translated", Min = 1)]
    public int[] Ks { get; set; } = [10, 20, 30, 40, 50];

    [PluginParameter("translation strength α")]
    public double Alpha { get; set; } = 1.0;

    [PluginParameter("scalar α, or Pitfalls' rank-scaled α (8 … 0.001 over the ranking)")]
    public AlphaScaling Scaling { get; set; } = AlphaScaling.Scalar;

    [PluginParameter("agreement items evaluated at most")]
    public int MaxItems { get; set; } = 300;

    [PluginParameter("seed of the random-k baseline (draw d uses seed·1000 + d)")]
    public int Seed { get; set; } = 1;

    [PluginParameter("seeded random-k draws per k (mean, sd and 95% interval; 10 or more)", Min = 1)]
    public int RandomDraws { get; set; } = BaselineDraws.Minimum;

    [PluginParameter("bootstrap resamples and permutations of each paired test", Min = 100)]
    public int TestRounds { get; set; } = 2000;

    public InterventionReport Run(InterventionRequest request, IPluginContext context)
    {
        var model = request.Model;
        var tokenizer = model.Tokenizer ?? throw new PluginInputException("translation: the model has no tokenizer");
        var data = request.Data ?? throw new PluginInputException("translation: needs the stored activations with the attribute's labels (Data) for the class means q(z)");
        if (request.Rankings.Count == 0) throw new PluginInputException("translation: no ranking to take neurons from");
        foreach (var r in request.Rankings) NeuronSelection.CheckAgainstModel(r, model.Info, Info.Name);
        int sing = IndexOfClass(data, "Sing"), plur = IndexOfClass(data, "Plur");

        var moments = context.Kernels.ClassMoments(data.Train.Activations, data.Train.Labels, data.ClassCount, context.Cancellation);
        var items = AgreementItem.Find(request.Sentences, Attribute).Take(MaxItems)
            .Select(item => Prepare(item, model, tokenizer)).Where(p => p is not null).Select(p => p!).ToArray();
        if (items.Length == 0) throw new PluginInputException($"translation: no subject noun with {Attribute} followed by an agreeing is/are, was/were, has/have in the {request.Sentences.Count} sentences");

        var clean = Score(model, items, [], context.Cancellation);
        var rows = new List<IReadOnlyList<object>>();
        var summary = new Dictionary<string, double> { ["items"] = items.Length, ["clean_agreement_accuracy"] = clean.Count(s => s.PrefersOwn) / (double)items.Length };
        var ks = Ks.Where(k => k > 0).Distinct().Order().ToArray();
        var seeds = BaselineDraws.Seeds(Seed, RandomDraws);
        var drawRows = new List<IReadOnlyList<object>>();
        var comparisons = new List<IReadOnlyList<object>>();
        int total = request.Rankings.Count * (2 + seeds.Length) * ks.Length, done = 0;
        // With a scalar α a random set's edit does not depend on the ranking: rankings over the same neurons share the draws.
        var randomCache = new Dictionary<(string Key, int K, int Draw), ItemScore[]>();
        ItemScore[] Translate(Ranking ranking, IReadOnlyList<RankedNeuron> neurons)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var rankOf = ranking.Order.Select((n, i) => (n.Column, i)).ToDictionary(x => x.Column, x => x.i);
            var edits = items.SelectMany((item, s) =>
            {
                int from = item.Item.Value == "Sing" ? sing : plur, to = from == sing ? plur : sing;
                return NeuronSelection.Edits(neurons, EditOp.Add, n =>
                    (float)(Alphas.For(Scaling, Alpha, rankOf[n.Column], ranking.Order.Count) *
                            (moments.Means[to * moments.Neurons + n.Column] - moments.Means[from * moments.Neurons + n.Column])),
                    sequence: s, positions: item.NounPositions);
            }).ToArray();
            return Score(model, items, edits, context.Cancellation);
        }
        double[] Shifts(ItemScore[] edited) => edited.Select((e, i) => (e.OtherLogit - e.OwnLogit) - (clean[i].OtherLogit - clean[i].OwnLogit)).ToArray();
        foreach (var ranking in request.Rankings)
        {
            string key = (Scaling == AlphaScaling.Scalar ? "" : ranking.Method + "|") + string.Join(",", ranking.Order.Select(n => n.Neuron.ToString()).Order());
            foreach (int k in ks.Where(k => k <= ranking.Order.Count))
            {
                var top = Translate(ranking, NeuronSelection.Pick(ranking, Selection.Top, k, Seed));
                rows.Add(Row(ranking.Method, Selection.Top, k, items, clean, top));
                context.Progress.Report(new ProgressReport("translation", ++done, total, "settings"));

                var draws = new List<ItemScore[]>();
                for (int d = 0; d < seeds.Length; d++)
                {
                    if (!randomCache.TryGetValue((key, k, d), out var draw))
                        randomCache[(key, k, d)] = draw = Translate(ranking, NeuronSelection.Pick(ranking, Selection.Random, k, seeds[d]));
                    draws.Add(draw);
                    var r = Row(ranking.Method, Selection.Random, k, items, clean, draw);
                    drawRows.Add([ranking.Method, k, d, (double)seeds[d], r[5], r[8]]);
                    context.Progress.Report(new ProgressReport("translation", ++done, total, "settings"));
                }
                var drawShifts = draws.Select(Shifts).ToArray();
                var spread = SampleSummary.Of(drawShifts.Select(x => x.Average()));
                var perDraw = draws.Select(d => Row(ranking.Method, Selection.Random, k, items, clean, d)).ToArray();
                var mean = perDraw[0].ToList();
                foreach (int c in new[] { 4, 5, 6, 7, 8 }) mean[c] = perDraw.Select(x => (double)x[c]).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
                rows.Add([.. mean.Take(9), draws.Count, spread.Sd, spread.Low95, spread.High95]);

                var bottom = Translate(ranking, NeuronSelection.Pick(ranking, Selection.Bottom, k, Seed));
                rows.Add(Row(ranking.Method, Selection.Bottom, k, items, clean, bottom));
                context.Progress.Report(new ProgressReport("translation", ++done, total, "settings"));

                var topShift = Shifts(top);
                comparisons.Add(SelectionStatistics.VersusRandom(ranking.Method, k, topShift, drawShifts, topShift.Average(),
                    drawShifts.Select(x => x.Average()), (ulong)Seed, TestRounds));
                comparisons.Add(SelectionStatistics.VersusBottom(ranking.Method, k, topShift, Shifts(bottom), (ulong)Seed, TestRounds));
            }
        }
        summary["random_draws"] = seeds.Length;
        summary["seed"] = Seed;
        foreach (var ranking in request.Rankings)
        {
            var best = rows.Where(r => (string)r[0] == ranking.Method && (string)r[1] == "top").Select(r => (double)r[5]).DefaultIfEmpty(double.NaN).Max();
            summary[$"{ranking.Method}_top_best_preference_flip_rate"] = best;
        }
        return new InterventionReport(Info.Name, summary,
        [
            new ResultTable("translation", ["ranking", "selection", "k", "items", "flipped_top1_rate", "preference_flip_rate",
                "kept_top1_rate", "broken_rate", "mean_logodds_shift", "draws", "logodds_shift_sd", "logodds_shift_low95", "logodds_shift_high95"], rows),
            new ResultTable("translation_random_draws", ["ranking", "k", "draw", "seed", "preference_flip_rate", "mean_logodds_shift"], drawRows),
            new ResultTable("translation_comparisons", SelectionStatistics.ComparisonColumns, comparisons),
        ]);
    }

    private static int IndexOfClass(ProbingData data, string name)
    {
        for (int i = 0; i < data.ClassNames.Count; i++) if (data.ClassNames[i] == name) return i;
        throw new PluginInputException($"translation: the data's classes ({string.Join(", ", data.ClassNames)}) do not include '{name}'");
    }

    private sealed record PreparedItem(AgreementItem Item, int[] Ids, int Position, int[] NounPositions, int OwnToken, int OtherToken);

    private sealed record ItemScore(int Top1, double OwnLogit, double OtherLogit)
    {
        public bool PrefersOwn => OwnLogit > OtherLogit;
    }

    /// <summary>Ids for the words before the verb (masked LMs: the sentence with the verb
    /// masked), the scored position and the tokens of both verb forms.</summary>
    private static PreparedItem? Prepare(AgreementItem item, IModelSession model, ITokenizer tokenizer)
    {
        var words = item.Sentence.Words.Select(w => w.Form).ToArray();
        string own = item.FormFor(item.Value), other = item.FormFor(item.Value == "Sing" ? "Plur" : "Sing");
        if (model.Info.IsMaskedLm)
        {
            var alignment = tokenizer.EncodeWords(words);
            var verb = alignment.Words[item.VerbIndex];
            int mask = tokenizer.MaskTokenId ?? -1;
            if (mask < 0) return null;
            var ids = alignment.Ids[..verb.Start].Append(mask).Concat(alignment.Ids[(verb.Start + verb.Length)..]).ToArray();
            if (ids.Length > model.Info.MaxPositions) return null;
            var noun = alignment.Words[item.NounIndex];
            int ownToken = tokenizer.Encode(own, addSpecialTokens: false)[0], otherToken = tokenizer.Encode(other, addSpecialTokens: false)[0];
            return new PreparedItem(item, ids, verb.Start, Enumerable.Range(noun.Start, noun.Length).ToArray(), ownToken, otherToken);
        }
        var prefix = tokenizer.EncodeWords(words[..item.VerbIndex]);
        if (prefix.Ids.Length > model.Info.MaxPositions || prefix.Ids.Length == 0) return null;
        var nounSpan = prefix.Words[item.NounIndex];
        return new PreparedItem(item, prefix.Ids, prefix.Ids.Length - 1, Enumerable.Range(nounSpan.Start, nounSpan.Length).ToArray(),
            tokenizer.Encode(" " + own, addSpecialTokens: false)[0], tokenizer.Encode(" " + other, addSpecialTokens: false)[0]);
    }

    private static ItemScore[] Score(IModelSession model, PreparedItem[] items, IReadOnlyList<HookEdit> edits, CancellationToken cancellation)
    {
        var result = model.Forward(new ForwardRequest(items.Select(i => i.Ids).ToArray())
        {
            Edits = edits,
            Logits = LogitsMode.Last,
            LogitPositions = model.Info.IsMaskedLm ? items.Select(i => i.Position).ToArray() : null,
        }, cancellation);
        return items.Select((item, s) =>
        {
            var logits = result.Logits[s].Row(0);
            return new ItemScore(Softmax.ArgMax(logits), logits[item.OwnToken], logits[item.OtherToken]);
        }).ToArray();
    }

    private static IReadOnlyList<object> Row(string method, Selection selection, int k, PreparedItem[] items, ItemScore[] clean, ItemScore[] edited)
    {
        int n = items.Length;
        int flipped = 0, kept = 0, broken = 0, preferenceFlips = 0;
        double shift = 0;
        for (int i = 0; i < n; i++)
        {
            if (edited[i].Top1 == items[i].OtherToken) flipped++;
            else if (edited[i].Top1 == items[i].OwnToken) kept++;
            else if (clean[i].Top1 == items[i].OwnToken || clean[i].Top1 == items[i].OtherToken) broken++;
            if (clean[i].PrefersOwn && !edited[i].PrefersOwn) preferenceFlips++;
            shift += (edited[i].OtherLogit - edited[i].OwnLogit) - (clean[i].OtherLogit - clean[i].OwnLogit);
        }
        int prefersOwn = clean.Count(c => c.PrefersOwn);
        return [method, selection.ToString().ToLowerInvariant(), k, n, flipped / (double)n,
            prefersOwn == 0 ? double.NaN : preferenceFlips / (double)prefersOwn, kept / (double)n, broken / (double)n, shift / n,
            1, double.NaN, double.NaN, double.NaN];
    }
}
