using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>Logits, every layer's mlp.hook_post and the gradients of log p(target) against the
/// shared models' reference.json files (independent float64 PyTorch implementations).</summary>
public sealed class ReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => new() { "gpt2-mini-brown", "tiny-llama", "tiny-bert" };

    [SharedTheory]
    [MemberData(nameof(Models))]
    public void LogitsAndMlpActivationsMatchReference(string name)
    {
        var reference = new ModelReference(name);
        using var session = ModelLoader.Load(SharedAssets.Model(name));
        var capture = Enumerable.Range(0, session.Info.Layers).Select(HookPoints.MlpPost).ToArray();
        foreach (var c in reference.Cases)
        {
            var result = session.Forward(new ForwardRequest([c.Ids])
            {
                Capture = capture,
                LogitPositions = session.Info.IsMaskedLm ? [c.Position] : null,
            });
            double logitErr = MaxAbs(result.Logits[0].Data, c.Logits);
            double actErr = 0;
            for (int l = 0; l < capture.Length; l++)
            {
                var t = result.Captured[capture[l]][0];
                Assert.Equal(c.Ids.Length, t.Rows);
                actErr = Math.Max(actErr, MaxAbs(t.Data, c.MlpPost[l].SelectMany(r => r).ToArray()));
            }
            output.WriteLine($"{name} [{string.Join(",", c.Ids.Take(6))}…] max |Δlogit| {logitErr:E2}, max |Δmlp.hook_post| {actErr:E2}");
            Assert.True(logitErr < 1e-4, $"logits differ by {logitErr}");
            Assert.True(actErr < 1e-4, $"mlp.hook_post differs by {actErr}");
        }
    }

    [SharedTheory]
    [MemberData(nameof(Models))]
    public void GradientsOfLogProbMatchReference(string name)
    {
        var reference = new ModelReference(name);
        using var session = ModelLoader.Load(SharedAssets.Model(name));
        foreach (var c in reference.Cases)
        {
            var g = session.Gradient(new GradientRequest(c.Ids, c.Position, c.TargetId) { Output = GradientOutput.LogProbability });
            double err = 0, scale = 0;
            for (int l = 0; l < session.Info.Layers; l++)
            {
                var expected = c.Gradient[l].SelectMany(r => r).ToArray();
                err = Math.Max(err, MaxAbs(g.Gradients[HookPoints.MlpPost(l)].Data, expected));
                scale = Math.Max(scale, expected.Max(Math.Abs));
            }
            output.WriteLine($"{name}: log p = {g.Value:F6} (reference {c.TargetLogProb:F6}), max |Δgrad| {err:E2} (max |grad| {scale:F3})");
            Assert.True(Math.Abs(g.Value - c.TargetLogProb) < 1e-4);
            Assert.True(err < 1e-4, $"gradients differ by {err}");
        }
    }

    [SharedFact]
    public void GreedyGenerationFromGpt2MatchesReference()
    {
        var reference = new ModelReference("gpt2-mini-brown");
        var greedy = reference.Root.GetProperty("greedy");
        int[] expected = ModelReference.Ints(greedy.GetProperty("ids"));
        using var session = ModelLoader.Load(SharedAssets.Model("gpt2-mini-brown"));
        int promptLength = 4; // "The jury said that"
        var ids = session.Greedy(expected[..promptLength], expected.Length - promptLength);
        output.WriteLine("reference text: " + greedy.GetProperty("text").GetString());
        output.WriteLine("generated: " + Gpt2VocabDecoder.Decode(SharedAssets.Model("gpt2-mini-brown"), ids));
        Assert.Equal(expected, ids);
    }

    [SharedFact]
    public void GreedyGenerationFromLlamaMatchesLlama2c()
    {
        var reference = new ModelReference("tiny-llama");
        int[] expected = ModelReference.Ints(reference.Root.GetProperty("greedy_from_bos"));
        using var session = ModelLoader.Load(SharedAssets.Model("tiny-llama"));
        Assert.Equal(expected, session.Greedy([1], expected.Length - 1));
    }

    internal static double MaxAbs(float[] a, float[] b)
    {
        Assert.Equal(b.Length, a.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs((double)a[i] - b[i]));
        return m;
    }
}
