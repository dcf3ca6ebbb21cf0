using NeuronHost.Plugins.Interventions.Common;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Sdk;
using NeuronHost.Sdk.Statistics;

namespace NeuronHost.Plugins.Interventions.Translation;

/// <summary>Antverg &amp; Belinkov's translation intervention ("encoded is not used"): at the
/// tokens of a subject noun whose attribute (Number) has value z, move the top/random/bottom-k
/// neurons of a ranking toward value z′: h_S ← h_S − α·q(z)_S + α·q(z′)_S (q = class means of
/// the stored activations over the edited word class, nouns). The model runs on, and its own
/// prediction at the agreeing verb is read: does it now choose the verb form of z′ (the attribute
/// flipped, the lemma kept), keep the form of z, or predict something else (broken)? Every rate
/// comes with its 95% Wilson interval and the log-odds shift with a 95% bootstrap interval over
/// items and a sign-flip p-value, so a rate of 0 on n items reads as "below 3/n", not "none".</summary>
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

    [PluginParameter("agreement items evaluated at most (0: every item of the held-out sentences)", Min = 0)]
    public int MaxItems { get; set; }

    [PluginParameter("UPOS of the training words whose class means q(z) are used (the edited words are subject nouns); empty: every word")]
    public string WordClass { get; set; } = "NOUN";

    [PluginParameter("fewest training words of that class a value z needs for its mean q(z)", Min = 1)]
    public int MinClassCount { get; set; } = 100;

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

        var (moments, classNote) = ClassMeans(data, sing, plur, context);
        var found = AgreementItem.Find(request.Sentences, Attribute);
        var items = (MaxItems > 0 ? found.Take(MaxItems) : found)
            .Select(item => Prepare(item, model, tokenizer)).Where(p => p is not null).Select(p => p!).ToArray();
        if (items.Length == 0) throw new PluginInputException($"translation: no subject noun with {Attribute} followed by an agreeing is/are, was/were, has/have in the {request.Sentences.Count} sentences");

        var clean = Score(model, items, [], context.Cancellation);
        var rows = new List<IReadOnlyList<object>>();
        var cleanAccuracy = ProportionInterval.Wilson(clean.Count(s => s.PrefersOwn), items.Length);
        var summary = new Dictionary<string, double>
        {
            ["items"] = items.Length, ["clean_agreement_accuracy"] = cleanAccuracy.Rate,
            ["clean_agreement_accuracy_low95"] = cleanAccuracy.Low95, ["clean_agreement_accuracy_high95"] = cleanAccuracy.High95,
            ["q_rows_Sing"] = classNote.Sing, ["q_rows_Plur"] = classNote.Plur,
        };
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
        var topShifts = new List<(string Ranking, int K, double[] Shift)>();
        double[] Shifts(ItemScore[] edited) => edited.Select((e, i) => (e.OtherLogit - e.OwnLogit) - (clean[i].OtherLogit - clean[i].OwnLogit)).ToArray();
        foreach (var ranking in request.Rankings)
        {
            string key = (Scaling == AlphaScaling.Scalar ? "" : ranking.Method + "|") + string.Join(",", ranking.Order.Select(n => n.Neuron.ToString()).Order());
            foreach (int k in ks.Where(k => k <= ranking.Order.Count))
            {
                var top = Translate(ranking, NeuronSelection.Pick(ranking, Selection.Top, k, Seed));
                rows.Add(Row(ranking.Method, Selection.Top, k, items, clean, top, (ulong)Seed));
                context.Progress.Report(new ProgressReport("translation", ++done, total, "settings"));

                var draws = new List<ItemScore[]>();
                var perDraw = new List<IReadOnlyList<object>>();
                for (int d = 0; d < seeds.Length; d++)
                {
                    if (!randomCache.TryGetValue((key, k, d), out var draw))
                        randomCache[(key, k, d)] = draw = Translate(ranking, NeuronSelection.Pick(ranking, Selection.Random, k, seeds[d]));
                    draws.Add(draw);
                    var r = Row(ranking.Method, Selection.Random, k, items, clean, draw, (ulong)seeds[d]);
                    perDraw.Add(r);
                    drawRows.Add([ranking.Method, k, d, (double)seeds[d], r[Columns.IndexOf("preference_flip_rate")], r[Columns.IndexOf("mean_logodds_shift")]]);
                    context.Progress.Report(new ProgressReport("translation", ++done, total, "settings"));
                }
                var drawShifts = draws.Select(Shifts).ToArray();
                var spread = SampleSummary.Of(drawShifts.Select(x => x.Average()));
                // The random row: each rate averaged over the draws; the shift's interval is the draws' spread
                // (its paired p-value against the clean run is left out: the comparisons table tests top vs random).
                var mean = perDraw[0].ToList();
                for (int c = 4; c < Columns.Count - 2; c++)
                    mean[c] = perDraw.Select(x => (double)x[c]).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
                mean[Columns.IndexOf("logodds_shift_low95")] = spread.Low95;
                mean[Columns.IndexOf("logodds_shift_high95")] = spread.High95;
                mean[Columns.IndexOf("logodds_shift_p")] = double.NaN;
                mean[Columns.IndexOf("draws")] = draws.Count;
                mean[Columns.IndexOf("logodds_shift_sd")] = spread.Sd;
                rows.Add(mean);

                var bottom = Translate(ranking, NeuronSelection.Pick(ranking, Selection.Bottom, k, Seed));
                rows.Add(Row(ranking.Method, Selection.Bottom, k, items, clean, bottom, (ulong)Seed));
                context.Progress.Report(new ProgressReport("translation", ++done, total, "settings"));

                var topShift = Shifts(top);
                topShifts.Add((ranking.Method, k, topShift));
                comparisons.Add(SelectionStatistics.VersusRandom(ranking.Method, k, topShift, drawShifts, topShift.Average(),
                    drawShifts.Select(x => x.Average()), (ulong)Seed, TestRounds));
                comparisons.Add(SelectionStatistics.VersusBottom(ranking.Method, k, topShift, Shifts(bottom), (ulong)Seed, TestRounds));
            }
        }
        // Every pair of rankings at each k on the same items: "used" compared between rankings.
        foreach (var a in topShifts)
            foreach (var b in topShifts.Where(b => b.K == a.K && string.CompareOrdinal(b.Ranking, a.Ranking) != 0
                                                    && topShifts.IndexOf(b) > topShifts.IndexOf(a)))
                comparisons.Add(SelectionStatistics.VersusRanking(a.Ranking, b.Ranking, a.K, a.Shift, b.Shift, (ulong)Seed, TestRounds));
        summary["random_draws"] = seeds.Length;
        summary["seed"] = Seed;
        foreach (var ranking in request.Rankings)
        {
            var best = rows.Where(r => (string)r[0] == ranking.Method && (string)r[1] == "top").Select(r => (double)r[Columns.IndexOf("preference_flip_rate")]).DefaultIfEmpty(double.NaN).Max();
            summary[$"{ranking.Method}_top_best_preference_flip_rate"] = best;
            // The largest k's top-k shift with its interval: what "encoded and used" rests on.
            if (rows.LastOrDefault(r => (string)r[0] == ranking.Method && (string)r[1] == "top") is { } last)
                foreach (var c in new[] { "mean_logodds_shift", "logodds_shift_low95", "logodds_shift_high95", "logodds_shift_p" })
                    summary[$"{ranking.Method}_top_k{last[2]}_{c}"] = (double)last[Columns.IndexOf(c)];
        }
        return new InterventionReport(Info.Name, summary,
        [
            new ResultTable("translation", Columns, rows),
            new ResultTable("translation_class_means", ["column", "hook_point", "neuron", "q_Sing", "q_Plur"], MeanRows(request.Rankings, ks, moments, sing, plur)),
            new ResultTable("translation_random_draws", ["ranking", "k", "draw", "seed", "preference_flip_rate", "mean_logodds_shift"], drawRows),
            new ResultTable("translation_comparisons", SelectionStatistics.ComparisonColumns, comparisons),
        ]);
    }

    private static readonly List<string> Columns =
    [
        "ranking", "selection", "k", "items",
        "flipped_top1_rate", "flipped_top1_low95", "flipped_top1_high95",
        "preference_flip_rate", "preference_flip_low95", "preference_flip_high95",
        "kept_top1_rate", "broken_rate",
        "mean_logodds_shift", "logodds_shift_low95", "logodds_shift_high95", "logodds_shift_p",
        "draws", "logodds_shift_sd",
    ];

    /// <summary>Class means of the training words of <see cref="WordClass"/> (all words when the
    /// class is empty); a value with fewer than <see cref="MinClassCount"/> such words has no
    /// trustworthy mean and stops the run with the counts. Without word classes in the data (a
    /// NeuroX import) the means are over every word, and the summary's counts say so.</summary>
    private (ClassMoments Moments, (int Sing, int Plur) Counts) ClassMeans(ProbingData data, int sing, int plur, IPluginContext context)
    {
        var train = data.Train;
        var classes = train.WordClasses;
        if (string.IsNullOrEmpty(WordClass) || classes is null)
        {
            if (!string.IsNullOrEmpty(WordClass)) context.Log.Warn($"translation: the data carries no word classes; q(z) is over every {Attribute}-bearing word, not only {WordClass}");
            var labels = train.Labels.Span;
            int s = 0, p = 0;
            foreach (int l in labels) { if (l == sing) s++; else if (l == plur) p++; }
            Require(s, p, "words");
            return (context.Kernels.ClassMoments(train.Activations, train.Labels, data.ClassCount, context.Cancellation), (s, p));
        }
        // Relabel: rows of other word classes get -1, which the class-moment kernel leaves out.
        var all = train.Labels.Span;
        var kept = new int[all.Length];
        int ns = 0, np = 0;
        for (int i = 0; i < kept.Length; i++)
        {
            kept[i] = classes[i] == WordClass ? all[i] : -1;
            if (kept[i] == sing) ns++; else if (kept[i] == plur) np++;
        }
        Require(ns, np, $"{WordClass} words");
        return (context.Kernels.ClassMoments(train.Activations, kept, data.ClassCount, context.Cancellation), (ns, np));
    }

    /// <summary>q(Sing) and q(Plur) of every neuron some ranking's top-k translates (largest k):
    /// the means the edit moved them by, so a reader can check which words they came from.</summary>
    private static List<IReadOnlyList<object>> MeanRows(IReadOnlyList<Ranking> rankings, int[] ks, ClassMoments moments, int sing, int plur)
    {
        int kMax = ks.Length == 0 ? 0 : ks[^1];
        return rankings.SelectMany(r => r.Order.Take(kMax)).DistinctBy(n => n.Column).OrderBy(n => n.Column)
            .Select(n => (IReadOnlyList<object>)[n.Column, n.Neuron.HookPoint, n.Neuron.Index,
                moments.Means[sing * moments.Neurons + n.Column], moments.Means[plur * moments.Neurons + n.Column]])
            .ToList();
    }

    private void Require(int sing, int plur, string what)
    {
        if (sing < MinClassCount || plur < MinClassCount)
            throw new PluginInputException($"translation: q(z) needs at least {MinClassCount} training {what} per value, but Sing has {sing} and Plur {plur} (lower min-class-count or use more sentences)");
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

    /// <summary>Scores the items in forward passes of at most 64 sequences (edits name their
    /// sequence by its index among all items, so each batch gets its own, renumbered).</summary>
    private static ItemScore[] Score(IModelSession model, PreparedItem[] items, IReadOnlyList<HookEdit> edits, CancellationToken cancellation)
    {
        var scores = new ItemScore[items.Length];
        foreach (var batch in PromptBatches.Of(items.Length, 64))
        {
            cancellation.ThrowIfCancellationRequested();
            var part = items.AsSpan(batch.Start, batch.Count).ToArray();
            var batchEdits = edits.Where(e => e.Sequence < 0 || (e.Sequence >= batch.Start && e.Sequence < batch.Start + batch.Count))
                .Select(e => e.Sequence >= 0 ? e with { Sequence = e.Sequence - batch.Start } : e).ToArray();
            var result = model.Forward(new ForwardRequest(part.Select(i => i.Ids).ToArray())
            {
                Edits = batchEdits,
                Logits = LogitsMode.Last,
                LogitPositions = model.Info.IsMaskedLm ? part.Select(i => i.Position).ToArray() : null,
            }, cancellation);
            for (int s = 0; s < part.Length; s++)
            {
                var logits = result.Logits[s].Row(0);
                scores[batch.Start + s] = new ItemScore(Softmax.ArgMax(logits), logits[part[s].OwnToken], logits[part[s].OtherToken]);
            }
        }
        return scores;
    }

    private static IReadOnlyList<object> Row(string method, Selection selection, int k, PreparedItem[] items, ItemScore[] clean, ItemScore[] edited, ulong seed)
    {
        int n = items.Length;
        int flipped = 0, kept = 0, broken = 0, preferenceFlips = 0;
        var shifts = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (edited[i].Top1 == items[i].OtherToken) flipped++;
            else if (edited[i].Top1 == items[i].OwnToken) kept++;
            else if (clean[i].Top1 == items[i].OwnToken || clean[i].Top1 == items[i].OtherToken) broken++;
            if (clean[i].PrefersOwn && !edited[i].PrefersOwn) preferenceFlips++;
            shifts[i] = (edited[i].OtherLogit - edited[i].OwnLogit) - (clean[i].OtherLogit - clean[i].OwnLogit);
        }
        var flips = ProportionInterval.Wilson(flipped, n);
        var preference = ProportionInterval.Wilson(preferenceFlips, clean.Count(c => c.PrefersOwn));
        var shift = PairedTest.Compare(shifts, seed);
        return [method, selection.ToString().ToLowerInvariant(), k, n,
            flips.Rate, flips.Low95, flips.High95, preference.Rate, preference.Low95, preference.High95,
            kept / (double)n, broken / (double)n, shift.MeanDifference, shift.Low95, shift.High95, shift.PValue, 1, double.NaN];
    }
}
