using NeuronHost.Cli.Commands;
using NeuronHost.Core.Reports;
using Spectre.Console;

namespace NeuronHost.Host.Tests;

/// <summary>The terminal summary puts every accuracy next to what to judge it against and
/// flags what should not be taken at face value.</summary>
public sealed class ResultsSummaryTests
{
    /// <summary>Four classes with frequencies 0.55 / 0.25 / 0.15 / 0.05 on the test words: the
    /// majority baseline is 0.55 and uniform chance 0.25 (by construction, not from our code).</summary>
    private static RunResults Synthetic(double k1, double k10, double k100)
    {
        var r = new RunResults
        {
            Identity = new RunIdentity { Model = "m", Task = "upos", Classes = ["A", "B", "C", "D"], TrainTokens = 800, DevTokens = 100, TestTokens = 100, Neurons = 512 },
            Oracle = [new OracleResult { Probe = "linear-probe", TrainAccuracy = 0.97, DevAccuracy = 0.90, TestAccuracy = 0.91, ControlAccuracy = 0.60, Selectivity = 0.31, MajorityBaseline = 0.55 }],
        };
        foreach (var (k, acc) in new[] { (1, k1), (10, k10), (100, k100) })
        {
            r.Accuracy.Add(new AccuracyPoint { Ranking = "probeless", Probe = "linear-probe", Selection = Selection.Top, K = k, TestAccuracy = acc, ControlAccuracy = 0.5, Selectivity = acc - 0.5 });
            r.Accuracy.Add(new AccuracyPoint { Ranking = "random", Probe = "linear-probe", Selection = Selection.Random, K = k, TestAccuracy = 0.56, ControlAccuracy = 0.5, Selectivity = 0.06 });
        }
        return r;
    }

    private static string Render(RunResults r)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        ResultsSummary.Write(console, r, "/out", reportPath: null);
        return writer.ToString();
    }

    [Fact]
    public void A_probe_below_the_majority_baseline_is_flagged_with_its_explanation()
    {
        var r = Synthetic(0.40, 0.70, 0.85);
        var flags = SummaryFlags.Of(r);
        var flag = Assert.Single(flags);
        Assert.StartsWith("probeless/linear-probe: k=1 (0.400) below the majority-class baseline 0.550", flag);
        string text = Render(r);
        Assert.Contains("! probeless/linear-probe: k=1 (0.400) below the majority-class baseline 0.550", text);
        Assert.Matches(@"majority class\s+0\.550\s+0\.550\s+0\.550\s+0\.550", text);
        Assert.Matches(@"uniform chance\s+0\.250", text);
        Assert.Matches(@"linear-probe\s+0\.970\s+0\.900\s+0\.910\s+0\.600\s+\+0\.310", text);
        Assert.Contains("selectivity k=100", text);
        Assert.Contains("800/100/100 words used (train/dev/test)", text);
        Assert.DoesNotContain("NaN", text);
    }

    [Fact]
    public void A_gaussian_ranking_whose_selected_set_has_no_held_out_information_is_flagged()
    {
        RankingResult Gaussian(params double[] mi) => new()
        {
            Name = "gaussian", Plugin = "gaussian", Parameters = new() { ["max-neurons"] = "3" },
            Neurons = mi.Select((v, i) => new RankedNeuronResult { Rank = i + 1, Score = v }).ToList(),
        };
        var r = Synthetic(0.60, 0.70, 0.85);
        r.Rankings.Add(Gaussian(0.05, 0.02, -0.01, 0.5)); // MI after 3 greedy picks is -0.01 bits; the 4th is unselected
        var flag = Assert.Single(SummaryFlags.Of(r));
        Assert.StartsWith("gaussian: the 3 selected neurons have held-out (dev) mutual information -0.010 bits ≤ 0 (peak 0.050 bits at k=1)", flag);
        r.Rankings[^1] = Gaussian(0.05, 0.08, 0.09, -1);
        Assert.Empty(SummaryFlags.Of(r));
    }

    [Fact]
    public void Accuracy_falling_as_k_grows_is_flagged_and_a_healthy_run_is_not()
    {
        Assert.Empty(SummaryFlags.Of(Synthetic(0.60, 0.70, 0.85)));
        var flag = Assert.Single(SummaryFlags.Of(Synthetic(0.60, 0.80, 0.70)));
        Assert.StartsWith("probeless/linear-probe: accuracy falls from 0.800 at k=10 to 0.700 at k=100", flag);
        // Within the tolerance it is noise, not a flag.
        Assert.Empty(SummaryFlags.Of(Synthetic(0.60, 0.80, 0.80 - SummaryFlags.FallTolerance / 2)));
    }

    [Fact]
    public void Intervention_without_a_probe_shows_no_nan_columns_and_skill_line_leads_with_test_accuracy()
    {
        var r = Synthetic(0.60, 0.70, 0.85);
        r.Interventions.Add(new InterventionResult
        {
            Method = "ablation",
            Summary = new() { ["sentences"] = 100 },
            Tables = [new TableData { Name = "t", Columns = ["ranking", "selection", "k", "metric", "delta", "probe_delta"],
                Rows = [["probeless", "top", 10.0, "cos", 0.09, double.NaN], ["probeless", "random", 10.0, "cos", 0.01, double.NaN]] }],
        });
        r.Interventions.Add(new InterventionResult
        {
            Method = "skill-neurons",
            Summary = new() { ["prompts"] = 60, ["train_prompts"] = 48, ["test_prompts"] = 12, ["skill_neuron_accuracy_train"] = 0.889,
                ["skill_neuron_accuracy_test"] = 0.583, ["model_accuracy_train"] = 0.8, ["model_accuracy_test"] = 0.764, ["majority_answer_rate"] = 0.3, ["top_k"] = 20 },
        });
        string text = Render(r);
        Assert.DoesNotContain("NaN", text);
        Assert.DoesNotContain("Δacc", text);
        Assert.Contains("ablation of each ranking's top / random / bottom k neurons on the 100 sentences scored: Δ = change of cos", text);
        Assert.Contains("skill-neurons: 20 skill neurons score 0.583 on 12 held-out test prompts (train 0.889); the model's own answers 0.764", text);
        Assert.Contains("below the model itself", text);
    }

    [Fact]
    public void Top_k_inside_the_random_spread_and_tied_bottoms_are_flagged_and_minimal_sets_show_dev_test_and_selectivity()
    {
        var r = Synthetic(0.60, 0.70, 0.85);
        r.Identity.Seed = 4;
        r.Statistics = new StatisticsSettings { RandomDraws = 10 };
        r.RandomBaselines.Add(new RandomBaselineResult { Probe = "linear-probe", K = 10, Draws = 10, Mean = 0.56, Sd = 0.021 });
        r.Comparisons.Add(new ComparisonResult { Kind = "top_vs_random", Probe = "linear-probe", K = 1, A = "probeless", B = "random", MeanDifference = 0.04, PValue = 0.21, DrawPValue = 0.30, Distinguishable = false });
        r.Comparisons.Add(new ComparisonResult { Kind = "top_vs_random", Probe = "linear-probe", K = 10, A = "probeless", B = "random", MeanDifference = 0.14, PValue = 0.0005, DrawPValue = 0.001, Distinguishable = true });
        r.Rankings.Add(new RankingResult { Name = "linear", Neurons = Enumerable.Range(0, 512).Select(i => new RankedNeuronResult { Rank = i + 1 }).ToList(), TiedAtBottom = 170, BottomScore = 0 });
        r.MinimalSets.Add(new MinimalSetResult { Ranking = "probeless", Probe = "linear-probe", K = 37, Reached = true, Accuracy = 0.894, OracleAccuracy = 0.91,
            Margin = 0.01, SelectedOn = "dev", SelectionAccuracy = 0.891, OracleSelectionAccuracy = 0.90, ControlAccuracy = 0.62, Selectivity = 0.274, Layers = [new(0, 37)] });
        r.Interventions.Add(new InterventionResult
        {
            Method = "ablation",
            Tables = [new TableData { Name = "ablation_comparisons", Columns = ["ranking", "k", "comparison", "items", "mean_difference", "low95", "high95", "p_value", "draw_p_value", "distinguishable", "seed"],
                Rows = [["probeless", 200.0, "top_vs_random", 100.0, 0.008, -0.002, 0.019, 0.11, 0.4, false, 1.0]] }],
        });
        var flags = SummaryFlags.Of(r);
        Assert.Contains("probeless/linear-probe: top-k not distinguishable from random at k=1 (largest p = 0.300 against 10 random draws; Δ +0.040)", flags);
        Assert.Contains(flags, f => f.StartsWith("linear: 170 of 512 neurons tie at the bottom score 0 — bottom-k is a seeded sample of them (seed 4)"));
        Assert.Contains("ablation probeless: top-k not distinguishable from random at k=200 (p = 0.110/0.400; paired over items / against the spread of the random draws, both must be < 0.05)", flags);
        string text = Render(r);
        Assert.Contains("minimal set probeless/linear-probe: 37 neurons (k chosen on dev: 0.891 vs oracle 0.900 − 0.01): test 0.894 (oracle 0.910); control 0.620, selectivity +0.274", text);
        Assert.Contains("0.560±0.021", text);
        Assert.Contains("mean ± sd of 10 seeded draws", text);
    }
}
