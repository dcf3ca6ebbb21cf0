using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>NeurGrad's backward pass against central finite differences made with the
/// runtime's own Add edits (the same quantity measured by intervention).</summary>
public sealed class GradientTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Hooks => new()
    {
        { "gpt2-mini-brown", "blocks.1.mlp.hook_post" },
        { "gpt2-mini-brown", "blocks.0.hook_resid_pre" },
        { "gpt2-mini-brown", "blocks.2.attn.hook_z" },
        { "gpt2-mini-brown", "blocks.3.mlp.hook_pre" },
        { "tiny-llama", "blocks.2.mlp.hook_pre_linear" },
        { "tiny-llama", "blocks.0.hook_resid_pre" },
        { "tiny-llama", "blocks.1.attn.hook_z" },
        { "tiny-llama", "blocks.3.mlp.hook_pre" },
        { "tiny-bert", "blocks.0.hook_resid_pre" },
        { "tiny-bert", "blocks.1.hook_attn_out" },
        { "tiny-bert", "blocks.0.mlp.hook_post" },
    };

    [SharedTheory]
    [MemberData(nameof(Hooks))]
    public void ProbabilityGradientMatchesFiniteDifferences(string model, string hook)
    {
        using var session = ModelLoader.Load(SharedAssets.Model(model));
        int[] ids = model switch
        {
            "tiny-llama" => [1, 294, 436, 413, 394, 33, 70],
            "tiny-bert" => [2, 119, 1278, 109, 122, 119, 4, 140, 3],
            _ => [448, 6899, 847, 317, 259],
        };
        int position = model == "tiny-bert" ? 6 : ids.Length - 1;
        var plain = session.Forward(new ForwardRequest([ids]) { LogitPositions = [position] }).Logits[0].Data;
        int target = Array.IndexOf(plain, plain.Max()); // a likely token: a sizeable p
        var g = session.Gradient(new GradientRequest(ids, position, target) { WithRespectTo = [hook] });
        var grad = g.Gradients[hook];
        var rng = new Random(3);
        const float eps = 3e-2f; // float32 forward: smaller steps drown in rounding noise
        double worst = 0;
        for (int k = 0; k < 6; k++)
        {
            int pos = k == 0 ? position : rng.Next(0, position + 1), neuron = rng.Next(grad.Columns);
            if (k == 0) neuron = Enumerable.Range(0, grad.Columns).MaxBy(n => Math.Abs(grad[pos, n])); // the strongest one
            double Shifted(float delta) => Probability(session, ids, position, target,
                new HookEdit(hook, new NeuronEdit(EditOp.Add, [neuron], Scalar: delta), 0, [pos]));
            double numeric = (Shifted(eps) - Shifted(-eps)) / (2 * eps);
            double analytic = grad[pos, neuron];
            double err = Math.Abs(numeric - analytic);
            worst = Math.Max(worst, err / (1e-4 + Math.Abs(numeric)));
            Assert.True(err < 1e-2 * Math.Abs(numeric) + 3e-5, $"{hook} [{pos}, {neuron}]: backward {analytic:E4}, finite difference {numeric:E4}");
        }
        output.WriteLine($"{model} {hook}: p = {g.Value:F5}, worst relative error {worst:E2}");
    }

    private static double Probability(ModelSession session, int[] ids, int position, int target, HookEdit edit)
    {
        var logits = session.Forward(new ForwardRequest([ids]) { LogitPositions = [position], Edits = [edit] }).Logits[0].Data;
        double max = logits.Max(), sum = logits.Sum(v => Math.Exp(v - max));
        return Math.Exp(logits[target] - max) / sum;
    }

    [SharedFact]
    public void GradientRunsWithTheRequestedEdits()
    {
        using var session = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        int[] ids = [448, 6899, 847, 317, 259];
        var edit = new HookEdit(HookPoints.MlpPost(1), new NeuronEdit(EditOp.Zero, [5, 77, 300]), Positions: [2, 4]);
        var g = session.Gradient(new GradientRequest(ids, 4, 2187) { Output = GradientOutput.LogProbability, Edits = [edit] });
        var logits = session.Forward(new ForwardRequest([ids]) { Edits = [edit] }).Logits[0].Data;
        double max = logits.Max(), logp = logits[2187] - max - Math.Log(logits.Sum(v => Math.Exp(v - max)));
        Assert.Equal(logp, g.Value, 4);
        Assert.Equal(0f, g.Activations[HookPoints.MlpPost(1)][2, 77]);
        // Zeroed neurons do not pass gradient down: layer 0 sees the edited graph.
        var plain = session.Gradient(new GradientRequest(ids, 4, 2187) { Output = GradientOutput.LogProbability });
        Assert.NotEqual(plain.Value, g.Value);
    }

    [SharedFact]
    public void GradientWithRespectToEveryHookKindOfLlama()
    {
        using var session = ModelLoader.Load(SharedAssets.Model("tiny-llama"));
        var all = session.Info.HookPointWidths.Keys.ToList();
        var g = session.Gradient(new GradientRequest([1, 294, 436, 413], 3, 35) { WithRespectTo = all });
        foreach (var hook in all)
        {
            Assert.Equal(4, g.Gradients[hook].Rows);
            Assert.Equal(session.Info.HookPointWidths[hook], g.Gradients[hook].Columns);
            Assert.Contains(g.Gradients[hook].Data, v => v != 0f);
        }
        // the residual stream carries the same gradient from one block's output to the next's input
        Assert.Equal(g.Gradients[HookPoints.ResidPost(1)].Data, g.Gradients[HookPoints.ResidPre(2)].Data);
    }
}
