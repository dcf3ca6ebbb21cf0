using NeuronHost.Core.Reports;

namespace NeuronHost.Host.Tests.Report;

/// <summary>A plausible full run (every section filled) built from closed-form curves, for
/// rendering tests that do not need a model.</summary>
public static class SampleResults
{
    public static readonly string[] Rankings = ["linear", "gaussian", "probeless"];
    public static readonly string[] Probes = ["linear", "gaussian"];
    public static readonly int[] Ks = [1, 5, 10, 20, 50, 100, 150];

    public static RunResults Create()
    {
        var rng = new Random(7);
        var r = new RunResults
        {
            ConfigYaml = "model: /models/gpt2-mini-brown\ncorpus:\n  path: en_ewt-ud-dev.conllu\n",
            Identity = new RunIdentity
            {
                Model = "gpt2-mini-brown", ModelFamily = "gpt2", ModelIdentity = "sha256:abc", Corpus = "/c/en_ewt-ud-dev.conllu",
                CorpusFormat = "conllu", Task = "UPOS", Classes = ["NOUN", "VERB", "ADJ", "ADP", "DET"],
                HookPoints = ["blocks.1.mlp.hook_post", "blocks.3.mlp.hook_post"], Aggregation = "last", Backend = "cpu-simd",
                Seed = 1, TrainTokens = 8000, DevTokens = 1000, TestTokens = 1000, Neurons = 2048,
            },
        };
        foreach (var name in Rankings)
        {
            var k = new RankingResult { Name = name, Plugin = name };
            for (int i = 0; i < 300; i++)
            {
                int layer = rng.NextDouble() < (name == "probeless" ? 0.3 : 0.7) ? 3 : 1;
                k.Neurons.Add(new RankedNeuronResult { Rank = i + 1, HookPoint = $"blocks.{layer}.mlp.hook_post", Index = rng.Next(1024), Layer = layer, Score = 1.0 / (i + 1), Column = i });
            }
            r.Rankings.Add(k);
        }
        for (int p = 0; p < Probes.Length; p++)
        {
            r.Oracle.Add(new OracleResult { Probe = Probes[p], Neurons = 2048, TestAccuracy = 0.93 - 0.05 * p, ControlAccuracy = 0.55, Selectivity = 0.38 - 0.05 * p, MajorityBaseline = 0.18 });
            for (int j = 0; j < Rankings.Length; j++)
                foreach (int kk in Ks)
                {
                    double top = 0.9 - 0.6 * Math.Exp(-kk / (8.0 + 6 * j)) - 0.04 * p;
                    double control = 0.2 + 0.35 * (1 - Math.Exp(-kk / 60.0));
                    r.Accuracy.Add(new AccuracyPoint { Ranking = Rankings[j], Probe = Probes[p], Selection = Selection.Top, K = kk, TestAccuracy = top, ControlAccuracy = control, Selectivity = top - control });
                    r.Accuracy.Add(new AccuracyPoint { Ranking = Rankings[j], Probe = Probes[p], Selection = Selection.Bottom, K = kk, TestAccuracy = 0.18 + 0.4 * (1 - Math.Exp(-kk / 90.0)) });
                    r.Accuracy.Add(new AccuracyPoint { Ranking = Rankings[j], Probe = Probes[p], Selection = Selection.Random, K = kk, TestAccuracy = 0.2 + 0.6 * (1 - Math.Exp(-kk / 40.0)) });
                }
        }
        r.MinimalSets.Add(new MinimalSetResult { Ranking = "linear", Probe = "linear", K = 50, Accuracy = 0.9, OracleAccuracy = 0.93, Margin = 0.03, Reached = true, Layers = [new(1, 12), new(3, 38)] });
        r.MinimalSets.Add(new MinimalSetResult { Ranking = "probeless", Probe = "linear", K = 100, Accuracy = 0.91, OracleAccuracy = 0.93, Margin = 0.03, Reached = true, Layers = [new(1, 61), new(3, 39)] });

        var ablation = new TableData { Name = "lm loss", Columns = ["ranking", "selection", "k", "loss_increase", "probe_accuracy"] };
        foreach (var sel in new[] { Selection.Top, Selection.Random, Selection.Bottom })
            foreach (int kk in new[] { 10, 20, 50, 100 })
            {
                double scale = sel == Selection.Top ? 1 : sel == Selection.Random ? 0.3 : 0.05;
                ablation.Rows.Add(["linear", sel, kk, scale * Math.Log(1 + kk / 10.0), 0.9 - scale * kk / 200.0]);
            }
        var neg = new TableData { Name = "neg", Columns = ["neuron", "neg_slope", "neurgrad", "linearity"] };
        for (int i = 0; i < 400; i++)
        {
            double g = (rng.NextDouble() - 0.5) * 0.02;
            neg.Rows.Add([$"blocks.3.mlp.hook_post[{i}]", g * 0.9 + (rng.NextDouble() - 0.5) * 0.002, g, 1 - Math.Abs(rng.NextDouble() * rng.NextDouble()) * 0.4]);
        }
        r.Interventions.Add(new InterventionResult { Method = "ablation", Summary = new() { ["top50_loss_increase"] = 1.79 }, Tables = [ablation] });
        r.Interventions.Add(new InterventionResult { Method = "neg", Summary = new() { ["neurgrad_vs_neg_r"] = 0.98 }, Tables = [neg] });

        foreach (var name in Rankings)
            for (int i = 0; i < 5; i++)
            {
                var n = r.Rankings.First(k => k.Name == name).Neurons[i];
                r.TopNeuronContexts.Add(new NeuronContexts
                {
                    Ranking = name, Rank = n.Rank, HookPoint = n.HookPoint, Index = n.Index, Layer = n.Layer, Score = n.Score,
                    Examples = [new() { Activation = 3.2, Word = "the", Left = "he saw", Right = "dog <&> ran", Label = "DET" },
                                new() { Activation = 2.9, Word = "a", Left = "in", Right = "house", Label = "DET" }],
                });
            }
        r.Timings.Add(new StageTiming("extract", 12.5));
        return r;
    }
}
