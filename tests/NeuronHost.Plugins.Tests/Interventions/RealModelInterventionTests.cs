using NeuronHost.Data.Prompts;
using NeuronHost.Plugins.Gaussian;
using NeuronHost.Plugins.Interventions.Ablation;
using NeuronHost.Plugins.Interventions.Gradients;
using NeuronHost.Plugins.Interventions.Skills;
using NeuronHost.Plugins.Interventions.Translation;
using NeuronHost.Plugins.Linear;
using NeuronHost.Plugins.Probeless;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Plugins.Tests.Interventions;

/// <summary>The intervention plugins on the real gpt2-mini-brown and real EWT sentences. The
/// references are independent of the code under test: central finite differences for NeurGrad,
/// the untouched model's forward for restoration, and chance/majority rates for accuracies.</summary>
public sealed class RealModelInterventionTests(RealModelFixture fx) : IClassFixture<RealModelFixture>
{
    private static readonly string[] TwoLayers = [HookPoints.MlpPost(1), HookPoints.MlpPost(2)];

    private static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my); }
        return sxy / Math.Sqrt(sxx * syy);
    }

    [SharedFact]
    public void NeurGrad_equals_central_finite_differences_on_gpt2_mini()
    {
        var prompt = PromptSets.Load("agreement")[0];   // "The man" → is
        var report = new EmpiricalNegIntervention
        {
            Hooks = "blocks.1.mlp.hook_post,blocks.3.mlp.hook_post", NeuronsPerPrompt = 32, MaxPrompts = 1,
            DeltaMax = 0.02, DeltaStep = 0.01, BatchSize = 64,
        }.Run(new InterventionRequest(fx.Model) { Prompts = [prompt] }, fx.Context());

        var rows = report.Tables[0].Rows;
        Assert.Equal(32, rows.Count);
        Assert.Contains(rows, r => (int)r[4] == 1);
        Assert.Contains(rows, r => (int)r[4] == 3);
        var neg = rows.Select(r => (double)r[5]).ToArray();      // least-squares slope over Δ = ±0.01, ±0.02: a central difference
        var grad = rows.Select(r => (double)r[7]).ToArray();
        double scale = grad.Max(Math.Abs);
        Assert.True(scale > 1e-4, $"NeurGrad is ~0 for every sampled neuron (max {scale:G3}): p(target) is not moving");
        // Over |Δ| ≤ 0.02 the second-order term is O(Δ²·p″) and float32 rounding of p (~1e-7 on p≈0.5)
        // divided by Δ is ~1e-5 — both far below 5 % of the largest gradient.
        for (int i = 0; i < neg.Length; i++)
            Assert.True(Math.Abs(neg[i] - grad[i]) <= 0.05 * scale + 1e-5,
                $"neuron {rows[i][2]}[{rows[i][3]}]: finite difference {neg[i]:G5} vs NeurGrad {grad[i]:G5} (scale {scale:G3})");
        Assert.True(Pearson(neg, grad) > 0.99, $"correlation {Pearson(neg, grad):F4}");
        // Linearity is |r| in [0, 1]: over |Δ| ≤ 0.02 nearly every neuron is linear whatever the sign
        // of its NEG (a signed r put every negative-NEG neuron at r ≈ −1).
        var linearity = rows.Select(r => (double)r[6]).ToArray();
        Assert.All(linearity, r => Assert.InRange(r, 0.0, 1.0));
        Assert.True(report.Summary["median_linearity_r"] > 0.9, $"median linearity {report.Summary["median_linearity_r"]:F3}");
    }

    [SharedFact]
    public void Ablating_top_k_of_a_real_ranking_hurts_lm_loss_more_than_random_and_bottom()
    {
        var train = fx.Ewt.Split("train")!.Sentences.Take(200).Select(s => s.Annotated).ToArray();
        var heldOut = fx.Ewt.Split("test")!.Sentences.Take(40).Select(s => s.Annotated).ToArray();
        var data = fx.TaskData("upos", TwoLayers, train, []);
        var ranking = new ProbelessRanking().Rank(new RankingRequest(data), fx.Context());

        double Delta(AblationValue value, string selection)
        {
            var report = new AblationIntervention { Ks = [100], MaxSentences = 30, Value = value }
                .Run(new InterventionRequest(fx.Model) { Rankings = [ranking], Data = data, Sentences = heldOut }, fx.Context());
            return (double)report.Tables[0].Rows.Single(r => (string)r[1] == selection)[5];
        }
        // Zero ablation: top > random, but the bottom of probeless (neurons whose class means agree,
        // many of them large always-on neurons) also hurts when set to 0 — measured on this model:
        // top 0.019, random −0.003, bottom 0.014 nats/token (40 sentences). Mean ablation removes
        // only the information, not the offset, so there the ranking's order should show.
        double zTop = Delta(AblationValue.Zero, "top"), zRandom = Delta(AblationValue.Zero, "random"), zBottom = Delta(AblationValue.Zero, "bottom");
        string zero = $"zero: top {zTop:F4}, random {zRandom:F4}, bottom {zBottom:F4}";
        Assert.True(zTop > zRandom && zBottom > zRandom, zero);
        Assert.True(zTop > 0.005, zero);
        double mTop = Delta(AblationValue.Mean, "top"), mRandom = Delta(AblationValue.Mean, "random"), mBottom = Delta(AblationValue.Mean, "bottom");
        Assert.True(mTop > mRandom && mTop > mBottom, $"mean: top {mTop:F4}, random {mRandom:F4}, bottom {mBottom:F4}; {zero}");
    }

    [SharedFact]
    public void Translation_of_number_with_the_three_pitfalls_rankings_moves_top_k_toward_the_other_verb_form()
    {
        var hooks = new[] { HookPoints.MlpPost(1) };
        var train = fx.Ewt.Split("train")!.Sentences.Take(400).Select(s => s.Annotated).ToArray();
        var data = fx.TaskData("Number", hooks, train, []);
        var ctx = fx.Context();
        var rankings = new[]
        {
            new LinearRanking { Ordering = LinearOrdering.Pitfalls, MaxIterations = 100 }.Rank(new RankingRequest(data), ctx) with { Method = "linear" },
            new GaussianRanking { MaxNeurons = 30, SelectOn = SelectionSplit.Train, MaxSelectionTokens = 2000 }.Rank(new RankingRequest(data), ctx) with { Method = "gaussian" },
            new ProbelessRanking().Rank(new RankingRequest(data), ctx) with { Method = "probeless" },
        };
        var items = fx.Ewt.Split("test")!.Sentences.Select(s => s.Annotated).ToArray();
        var report = new TranslationIntervention { Ks = [30], MaxItems = 60, Alpha = 1.0 }
            .Run(new InterventionRequest(fx.Model) { Rankings = rankings, Data = data, Sentences = items }, ctx);

        double clean = report.Summary["clean_agreement_accuracy"];
        Assert.True(report.Summary["items"] >= 30, $"only {report.Summary["items"]} agreement items");
        Assert.True(clean >= 0.75, $"clean agreement accuracy {clean:F3} (chance 0.5)");
        var rows = report.Tables[0].Rows;
        Assert.Equal(9, rows.Count);
        foreach (var row in rows)
            foreach (int c in new[] { 4, 5, 6, 7, 8, 9, 10, 11 })
                Assert.InRange((double)row[c], 0.0, 1.0);
        double Shift(string method, string sel) => (double)rows.Single(r => (string)r[0] == method && (string)r[1] == sel)[12];
        string[] methods = ["linear", "gaussian", "probeless"];
        string table = string.Join("; ", methods.Select(m => $"{m}: top {Shift(m, "top"):F4} random {Shift(m, "random"):F4} bottom {Shift(m, "bottom"):F4}"));
        // With one scalar α the shifts are small (Δ log-odds ~0.01–0.1). Measured: linear and probeless
        // top > bottom; gaussian's top 30 (greedy MI picks) moved the verb less than its bottom 30
        // (0.0046 vs 0.0058) — encoded is not used, at this α.
        Assert.True(Shift("linear", "top") > Shift("linear", "bottom"), table);
        Assert.True(Shift("probeless", "top") > Shift("probeless", "bottom"), table);
        Assert.True(methods.Average(m => Shift(m, "top")) > methods.Average(m => Shift(m, "bottom")), table);
        Assert.True(Shift("linear", "top") > 0 && Shift("probeless", "top") > 0, table);
    }

    [SharedFact]
    public void Interventions_leave_the_model_and_the_stored_activations_unchanged()
    {
        var sentences = fx.Ewt.Split("test")!.Sentences.Take(6).Select(s => s.Annotated).ToArray();
        var data = fx.TaskData("upos", TwoLayers, fx.Ewt.Split("train")!.Sentences.Take(20).Select(s => s.Annotated).ToArray(), []);
        var before = data.Train.Activations.ToArray();
        var labels = data.Train.Labels.ToArray();
        var ids = fx.Model.Tokenizer!.Encode("The dogs near the house are");
        float[] Logits() => fx.Model.Forward(new ForwardRequest([ids]) { Logits = LogitsMode.All, Capture = TwoLayers }).Logits[0].Data.ToArray();
        var clean = Logits();

        var ranking = new ProbelessRanking().Rank(new RankingRequest(data), fx.Context());
        new AblationIntervention { Ks = [50], MaxSentences = 6, Value = AblationValue.Mean }
            .Run(new InterventionRequest(fx.Model) { Rankings = [ranking], Data = data, Sentences = sentences }, fx.Context());
        new EmpiricalNegIntervention { NeuronsPerPrompt = 8, MaxPrompts = 1, DeltaMax = 2, DeltaStep = 1 }
            .Run(new InterventionRequest(fx.Model) { Prompts = PromptSets.Load("agreement") }, fx.Context());

        Assert.Equal(clean, Logits());
        Assert.Equal(before, data.Train.Activations.ToArray());
        Assert.Equal(labels, data.Train.Labels.ToArray());
    }

    [SharedFact]
    public void Skill_neurons_on_the_agreement_prompts_beat_chance_and_the_model_beats_the_majority()
    {
        var prompts = PromptSets.Load("agreement");
        var report = new SkillNeuronIntervention { TopK = 100 }.Run(new InterventionRequest(fx.Model) { Prompts = prompts }, fx.Context());
        var s = report.Summary;
        string all = string.Join(", ", s.Select(kv => $"{kv.Key}={kv.Value:F3}"));
        Assert.True(s["model_accuracy_test"] > s["majority_answer_rate"], all);
        // Two choices: chance 0.5. Measured 0.583 on the 72 held-out prompts (0.889 on the 72 it was
        // selected on): above 0.5 but weak for this small model — and the exact binomial test, checked
        // against scipy on the same counts, says whether that is distinguishable from chance.
        Assert.True(s["skill_neuron_accuracy_test"] > 0.5, all);
        Assert.Equal(0.5, s["uniform_chance_test"]);
        int n = (int)s["test_prompts"];
        int skill = (int)Math.Round(s["skill_neuron_accuracy_test"] * n), model = (int)Math.Round(s["model_accuracy_test"] * n);
        if (!PythonReference.HasModule("scipy")) { Assert.False(SharedAssets.Required, "CI needs python3-scipy"); return; }
        var p = PythonReference.RunOrThrow($"import scipy.stats as st\nprint(repr(st.binomtest({skill}, {n}, 0.5, 'greater').pvalue), repr(st.binomtest({model}, {n}, 0.5, 'greater').pvalue))")
            .Split(' ').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(p[0], s["skill_neuron_test_p_above_chance"], 1e-9);
        Assert.Equal(p[1], s["model_test_p_above_chance"], 1e-9);
        Assert.InRange(s["skill_minus_model_test_p"], 0, 1);
    }

    [SharedFact]
    public void Bad_input_on_the_real_model_gives_clear_errors()
    {
        var prompts = PromptSets.Load("agreement");
        var ctx = fx.Context();
        var outside = new Ranking("hand", [new RankedNeuron(0, new NeuronRef(HookPoints.MlpPost(1), 5000), 1)]);
        var e1 = Assert.Throws<PluginInputException>(() => new AblationIntervention { Ks = [1] }
            .Run(new InterventionRequest(fx.Model) { Rankings = [outside], Sentences = [new AnnotatedSentence("s", [new("a"), new("b")])] }, ctx));
        Assert.Contains("outside blocks.1.mlp.hook_post (width 1024)", e1.Message);

        var e2 = Assert.Throws<PluginInputException>(() => new EmpiricalNegIntervention { Hooks = "mlp.hook_pre_linear" }
            .Run(new InterventionRequest(fx.Model) { Prompts = prompts }, ctx));
        Assert.Contains("no hook point 'mlp.hook_pre_linear'", e2.Message);

        var e3 = Assert.Throws<PluginInputException>(() => new NeurGradIntervention()
            .Run(new InterventionRequest(fx.Model) { Prompts = [] }, ctx));
        Assert.Contains("prompt set is empty", e3.Message);

        // A multi-token target is scored by its first token (documented): same NeurGrad as that token alone.
        var tok = fx.Model.Tokenizer!;
        string longWord = "antidisestablishmentarianism";
        var pieces = tok.Encode(" " + longWord, addSpecialTokens: false);
        Assert.True(pieces.Length > 1);
        string first = tok.Decode([pieces[0]]).Trim();
        var multi = new NeurGradIntervention { Hooks = "blocks.0.mlp.hook_post", Top = 5 }
            .Run(new InterventionRequest(fx.Model) { Prompts = [new ChoicePrompt("The man", [longWord], 0)] }, ctx);
        var single = new NeurGradIntervention { Hooks = "blocks.0.mlp.hook_post", Top = 5 }
            .Run(new InterventionRequest(fx.Model) { Prompts = [new ChoicePrompt("The man", [first], 0)] }, ctx);
        Assert.Equal(single.Tables[0].Rows.Select(r => (double)r[3]), multi.Tables[0].Rows.Select(r => (double)r[3]));
    }
}
