using NeuronHost.Plugins.Interventions.Common;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Plugins.Interventions.Gradients;
using NeuronHost.Sdk;
using NeuronHost.Sdk.Statistics;

namespace NeuronHost.Plugins.Interventions.Skills;

/// <summary>Zhao et al.'s skill-neuron probing of multiple-choice prompts: NeurGrad vectors per
/// choice; on training prompts, residue_n = Σ (2·sign(g_gold,n) − Σ_labels sign(g_label,n));
/// the top-k neurons by |residue| with polarity sign(residue) then predict a prompt's answer as
/// argmax over labels of Σ_n polarity_n·sign(g_label,n). Compared with the model's own accuracy
/// (argmax of p over the choices' first tokens).</summary>
public sealed class SkillNeuronIntervention : IIntervention
{
    public PluginInfo Info { get; } = new("skill-neurons", PluginKind.Intervention,
        "Skill neurons from NeurGrad polarities on multiple-choice prompts; their accuracy vs the model's own",
        new Version(1, 0));

    [PluginParameter("hook points: full names or a suffix matched in every block")]
    public string Hooks { get; set; } = "mlp.hook_post";

    [PluginParameter("skill neurons kept")]
    public int TopK { get; set; } = 100;

    [PluginParameter("fraction of prompts used to find the neurons (the rest tests them)")]
    public double TrainFraction { get; set; } = 0.5;

    [PluginParameter("seed of the train/test split of prompts")]
    public int Seed { get; set; } = 1;

    public InterventionReport Run(InterventionRequest request, IPluginContext context)
    {
        if (request.Prompts.Count < 2) throw new PluginInputException($"skill-neurons: need at least 2 prompts, got {request.Prompts.Count}");
        var model = request.Model;
        var hooks = HookSelection.Resolve(model.Info, Hooks, Info.Name);
        var offsets = new List<(string Hook, int Offset)>();
        int width = 0;
        foreach (var h in hooks) { offsets.Add((h, width)); width += model.Info.HookPointWidths[h]; }
        if (TopK < 1 || TopK > width) throw new PluginInputException($"skill-neurons: top-k {TopK} must be in 1..{width}");

        // Per prompt: sign of NeurGrad per choice [choices][neurons], and p of each choice.
        var prompts = request.Prompts.Select(p => PromptTargets.Resolve(model, p, Info.Name)).ToArray();
        var signs = new sbyte[prompts.Length][][];
        var probabilities = new double[prompts.Length][];
        for (int i = 0; i < prompts.Length; i++)
        {
            var prompt = prompts[i];
            signs[i] = new sbyte[prompt.ChoiceTokens.Length][];
            probabilities[i] = new double[prompt.ChoiceTokens.Length];
            for (int c = 0; c < prompt.ChoiceTokens.Length; c++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var (scores, _, p) = NeurGradScores.Compute(model, prompt.Ids, prompt.Position, prompt.FirstToken(c), hooks, context.Cancellation);
                var s = new sbyte[width];
                foreach (var (hook, offset) in offsets)
                    for (int n = 0; n < scores[hook].Length; n++) s[offset + n] = (sbyte)Math.Sign(scores[hook][n]);
                signs[i][c] = s;
                probabilities[i][c] = p;
            }
            context.Progress.Report(new ProgressReport("skill-neurons", i + 1, prompts.Length, "prompts"));
        }

        var order = Permutations.Of(prompts.Length, (ulong)Seed);
        int trainCount = Math.Clamp((int)Math.Round(TrainFraction * prompts.Length), 1, prompts.Length - 1);
        var train = order.Take(trainCount).ToArray();
        var test = order.Skip(trainCount).ToArray();

        var residue = new double[width];
        foreach (int i in train)
            for (int n = 0; n < width; n++)
            {
                int labelSum = 0;
                foreach (var s in signs[i]) labelSum += s[n];
                residue[n] += 2 * signs[i][prompts[i].Source.Answer][n] - labelSum;
            }
        var skill = Enumerable.Range(0, width).OrderByDescending(n => Math.Abs(residue[n])).ThenBy(n => n).Take(TopK).ToArray();

        int Predict(int i) => Enumerable.Range(0, signs[i].Length)
            .Select(c => (c, score: skill.Sum(n => Math.Sign(residue[n]) * signs[i][c][n])))
            .OrderByDescending(x => x.score).ThenBy(x => x.c).First().c;
        int ModelChoice(int i) => Array.IndexOf(probabilities[i], probabilities[i].Max());
        double Accuracy(int[] set, Func<int, int> predict) => set.Count(i => predict(i) == prompts[i].Source.Answer) / (double)set.Length;
        double majority = prompts.GroupBy(p => p.Source.Answer).Max(g => g.Count()) / (double)prompts.Length;
        // Held-out accuracy is judged against uniform chance (mean of 1/choices over the test
        // prompts) with an exact one-sided binomial test, and against the model's own choices
        // with a paired sign-flip test over the same prompts.
        double chance = test.Average(i => 1.0 / prompts[i].Source.Choices.Count);
        int Correct(Func<int, int> predict) => test.Count(i => predict(i) == prompts[i].Source.Answer);
        var skillVsModel = PairedTest.Compare(
            test.Select(i => Predict(i) == prompts[i].Source.Answer ? 1.0 : 0.0).ToArray(),
            test.Select(i => ModelChoice(i) == prompts[i].Source.Answer ? 1.0 : 0.0).ToArray(), (ulong)Seed);

        var neurons = skill.Select(n =>
        {
            var (hook, offset) = offsets.Last(o => o.Offset <= n);
            return (IReadOnlyList<object>)[hook, n - offset, HookPoints.LayerOf(hook), residue[n], Math.Sign(residue[n])];
        }).ToList();
        var summary = new Dictionary<string, double>
        {
            ["prompts"] = prompts.Length, ["train_prompts"] = train.Length, ["test_prompts"] = test.Length,
            ["skill_neuron_accuracy_train"] = Accuracy(train, Predict),
            ["skill_neuron_accuracy_test"] = Accuracy(test, Predict),
            ["model_accuracy_train"] = Accuracy(train, ModelChoice),
            ["model_accuracy_test"] = Accuracy(test, ModelChoice),
            ["majority_answer_rate"] = majority,
            ["uniform_chance_test"] = chance,
            ["skill_neuron_test_p_above_chance"] = BinomialTest.PGreater(Correct(Predict), test.Length, chance),
            ["model_test_p_above_chance"] = BinomialTest.PGreater(Correct(ModelChoice), test.Length, chance),
            ["skill_minus_model_test_p"] = skillVsModel.PValue,
            ["top_k"] = skill.Length,
        };
        var predictions = test.Select(i => (IReadOnlyList<object>)[prompts[i].Source.Prompt, prompts[i].Source.Choices[prompts[i].Source.Answer],
            prompts[i].Source.Choices[Predict(i)], prompts[i].Source.Choices[ModelChoice(i)]]).ToList();
        return new InterventionReport(Info.Name, summary,
        [
            new ResultTable("skill_neurons", ["hook_point", "neuron", "layer", "residue", "polarity"], neurons),
            new ResultTable("skill_predictions", ["prompt", "answer", "skill_neuron_prediction", "model_prediction"], predictions),
        ]);
    }
}
