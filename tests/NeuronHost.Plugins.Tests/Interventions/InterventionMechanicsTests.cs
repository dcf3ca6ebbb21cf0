using NeuronHost.Plugins.Interventions.Ablation;
using NeuronHost.Plugins.Interventions.Gradients;
using NeuronHost.Plugins.Interventions.Skills;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests.Interventions;

public sealed class InterventionMechanicsTests
{
    private static readonly double[] Slopes = [0.02, -0.015, 0.0, 0.05];
    // Two positions; neuron 1 is negative at the last position, so s(a) = −1 there.
    private static readonly float[] Activations = [0.3f, 0.2f, 0.1f, 0.5f, 1.0f, -2.0f, 0.0f, 0.7f];

    private static IPluginContext Context() => new PluginContext(null!);

    [Fact]
    public void Neg_of_a_model_linear_in_the_neuron_is_the_known_slope_times_the_sign()
    {
        var model = new LinearFakeModel(Slopes, Activations);
        var report = new EmpiricalNegIntervention { NeuronsPerPrompt = 0, DeltaMax = 1.0, DeltaStep = 0.25 }
            .Run(new InterventionRequest(model) { Prompts = [new ChoicePrompt("ab", ["yes", "no"], 0)] }, Context());

        var rows = report.Tables[0].Rows;
        Assert.Equal(4, rows.Count);
        foreach (var row in rows)
        {
            int neuron = (int)row[3];
            float a = Activations[4 + neuron];
            double expected = Slopes[neuron] * (a > 0 ? 1 : -1);   // s(0) = −1
            Assert.Equal(expected, (double)row[5], 6);             // NEG
            Assert.Equal(expected, (double)row[7], 6);             // NeurGrad
            if (Slopes[neuron] != 0) Assert.Equal(1.0, (double)row[6], 6);   // perfectly linear
        }
        Assert.Equal(1.0, report.Summary["pearson_neg_vs_neurgrad"], 6);
    }

    [Fact]
    public void Neg_batches_many_neurons_per_forward_pass()
    {
        var model = new LinearFakeModel(Slopes, Activations);
        new EmpiricalNegIntervention { NeuronsPerPrompt = 0, DeltaMax = 2.0, DeltaStep = 0.1, BatchSize = 64 }
            .Run(new InterventionRequest(model) { Prompts = [new ChoicePrompt("ab", ["yes", "no"], 0)] }, Context());
        // 4 neurons × 40 shifts = 160 sequences, plus one clean sequence.
        Assert.Equal(161, model.Forwards);
    }

    [Fact]
    public void Skill_neurons_recover_the_polarity_that_decides_the_answer()
    {
        // The gold answer is always "yes". For a neuron with slope s and activation a, NeurGrad
        // has sign σ = sign(s)·s(a) for "yes" and −σ for "no", so its residue per training prompt
        // is 2σ − (σ − σ) = 2σ; a neuron with s = 0 has residue 0 and must not be chosen.
        var model = new LinearFakeModel(Slopes, Activations);
        // Two-token prompts, so the prediction position always reads the second activation row.
        var prompts = new[] { "ab", "ba", "aa", "bb", "ca", "ac" }.Select(p => new ChoicePrompt(p, ["yes", "no"], 0)).ToArray();
        var report = new SkillNeuronIntervention { TopK = 3 }.Run(new InterventionRequest(model) { Prompts = prompts }, Context());
        Assert.Equal(1.0, report.Summary["skill_neuron_accuracy_test"]);
        var chosen = report.Tables[0].Rows.ToDictionary(r => (int)r[1], r => (int)r[4]);
        Assert.Equal([0, 1, 3], chosen.Keys.Order());
        Assert.Equal(6.0, Math.Abs((double)report.Tables[0].Rows[0][3]));   // 3 training prompts × 2
        foreach (var (neuron, polarity) in chosen)
            Assert.Equal(Math.Sign(Slopes[neuron]) * (Activations[4 + neuron] > 0 ? 1 : -1), polarity);
    }

    [Fact]
    public void Empty_prompt_set_and_unknown_hook_point_are_clear_errors()
    {
        var model = new LinearFakeModel(Slopes, Activations);
        var empty = Assert.Throws<PluginInputException>(() => new EmpiricalNegIntervention().Run(new InterventionRequest(model), Context()));
        Assert.Contains("prompt set is empty", empty.Message);
        var hook = Assert.Throws<PluginInputException>(() => new EmpiricalNegIntervention { Hooks = "attn.hook_z" }
            .Run(new InterventionRequest(model) { Prompts = [new ChoicePrompt("a", ["yes", "no"], 0)] }, Context()));
        Assert.Contains("no hook point 'attn.hook_z'", hook.Message);
    }

    [Fact]
    public void Ablation_rejects_neurons_the_model_does_not_have()
    {
        var model = new LinearFakeModel(Slopes, Activations);
        var ranking = new Ranking("r", [new RankedNeuron(0, new NeuronRef(LinearFakeModel.Hook, 9), 1)]);
        var error = Assert.Throws<PluginInputException>(() => new AblationIntervention { Ks = [1] }
            .Run(new InterventionRequest(model) { Rankings = [ranking], Sentences = [new AnnotatedSentence("s", [new AnnotatedWord("ab")])] }, Context()));
        Assert.Contains("blocks.0.mlp.hook_post[9] is outside", error.Message);
    }
}
