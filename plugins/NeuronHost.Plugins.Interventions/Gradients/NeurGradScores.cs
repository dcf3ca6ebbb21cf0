using NeuronHost.Plugins.Interventions.Common;
using NeuronHost.Sdk.Interventions;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Interventions.Gradients;

/// <summary>Zhao et al.'s NeurGrad for one prompt and target token: ∂p(target)/∂a · s(a),
/// s(a) = +1 if a &gt; 0 else −1, for every neuron of the chosen hook points at the prediction
/// position — one backward pass.</summary>
internal static class NeurGradScores
{
    /// <summary>Per hook point, the NeurGrad of each neuron, and its activation.</summary>
    public static (Dictionary<string, double[]> Scores, Dictionary<string, float[]> Activations, double Probability) Compute(
        IModelSession model, int[] ids, int position, int target, IReadOnlyList<string> hooks, CancellationToken cancellation)
    {
        var result = model.Gradient(new GradientRequest(ids, position, target)
        {
            Output = GradientOutput.Probability,
            WithRespectTo = hooks.ToArray(),
        }, cancellation);
        var scores = new Dictionary<string, double[]>();
        var activations = new Dictionary<string, float[]>();
        foreach (var hook in hooks)
        {
            var a = result.Activations[hook].Row(position);
            var g = result.Gradients[hook].Row(position);
            var s = new double[a.Length];
            for (int i = 0; i < a.Length; i++) s[i] = g[i] * (a[i] > 0 ? 1.0 : -1.0);
            scores[hook] = s;
            activations[hook] = a.ToArray();
        }
        return (scores, activations, result.Value);
    }
}
