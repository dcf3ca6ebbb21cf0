using System.Globalization;
using System.Text.Json;
using NeuronHost.Plugins.Linear;
using NeuronHost.Plugins.Tests.Interventions;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Plugins.Tests;

/// <summary>Needs ../shared and python3 with torch.</summary>
public sealed class SharedTorchFactAttribute : FactAttribute
{
    public SharedTorchFactAttribute()
    {
        if (!SharedAssets.Available && !SharedAssets.Required) Skip = SharedAssets.SkipReason;
        else if (!SharedAssets.Required && !PythonReference.HasModule("torch")) Skip = "needs python3 with torch (Debian python3-torch) as the reference";
    }
}

/// <summary>trainer: neurox-adam against NeuroX's trainer and get_neuron_ordering run on torch
/// (tools/references/neurox_probe_ordering.py) on gpt2-mini-brown activations of EWT words.</summary>
public sealed class NeuroxAdamTests(RealModelFixture fx, ITestOutputHelper output) : IClassFixture<RealModelFixture>
{
    [SharedTorchFact]
    public void Neurox_adam_reproduces_neurox_probe_and_ordering_on_ewt_upos()
    {
        var data = fx.TaskData("upos", [HookPoints.MlpPost(1)], fx.Ewt.Split("train")!.Sentences.Take(300).Select(s => s.Annotated).ToArray(), []);
        var ctx = fx.Context();
        var ranking = new LinearRanking { Trainer = LinearTrainer.NeuroxAdam, L1 = 1e-3, L2 = 1e-3, Epochs = 10, BatchSize = 128 };
        var result = ranking.Rank(new RankingRequest(data), ctx);
        int d = data.Neurons.Count, cc = data.ClassCount, rows = (int)data.Train.Tokens;

        var dir = Path.Combine(Path.GetTempPath(), "neuronhost-neurox-adam-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            void Write<T>(string name, T[] values) where T : struct =>
                File.WriteAllBytes(Path.Combine(dir, name), System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
            Write("x.bin", data.Train.Activations.ToArray());
            Write("y.bin", data.Train.Labels.ToArray());
            var (w0, b0) = NeuroxAdamTrainer.InitialParameters(d, cc, ctx.Seed);
            Write("w0.bin", w0); Write("b0.bin", b0);
            string script = File.ReadAllText(Path.Combine(SharedAssets.RepoRoot, "tools", "references", "neurox_probe_ordering.py"));
            string args = string.Join(", ", new object[] { d, cc, "0.001", "0.001", 10, 128, "0.001", 100 }.Select(a => $"'{a}'"));
            var stdout = PythonReference.RunOrThrow($"import sys\nsys.argv = ['ref', {args}]\n" + script, workingDirectory: dir);
            using var json = JsonDocument.Parse(stdout.Trim().Split('\n').Last());
            var bytes = File.ReadAllBytes(Path.Combine(dir, "w.bin"));
            var reference = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, reference, 0, bytes.Length);

            // Weights: same trajectory up to float32 rounding (Adam's sign(W) subgradient makes
            // weights that sit at 0 jitter by about one step, lr = 1e-3).
            var w = ranking.Model!.Weights;
            double diff = 0, norm = 0, worst = 0;
            for (int i = 0; i < w.Length; i++) { diff += Math.Pow(w[i] - reference[i], 2); norm += Math.Pow(reference[i], 2); worst = Math.Max(worst, Math.Abs(w[i] - reference[i])); }
            double relative = Math.Sqrt(diff / norm);
            Assert.True(relative < 1e-2, $"relative weight difference {relative:E2} (largest {worst:E2})");

            // Ordering: the sweep step at which each neuron enters (order inside a step is arbitrary in NeuroX).
            var steps = json.RootElement.GetProperty("step").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var ours = new int[d];
            foreach (var n in result.Order) ours[n.Column] = n.Score < 0 ? -1 : (int)Math.Round((1 - n.Score) * 100);
            // The first half of the weight mass (steps 0–50) holds the neurons anyone reads; in the
            // tail, where one step adds dozens of tiny weights, float rounding reorders them.
            var head = Enumerable.Range(0, d).Where(j => steps[j] <= 50).ToArray();
            double sameStep = head.Count(j => Math.Abs(ours[j] - steps[j]) <= 1) / (double)head.Length;
            double sameStepAll = Enumerable.Range(0, d).Count(j => Math.Abs(ours[j] - steps[j]) <= 1) / (double)d;
            output.WriteLine($"relative weight difference {relative:E2}, largest {worst:E2}; within one step: {sameStep:P1} of the {head.Length} neurons NeuroX adds by step 50, {sameStepAll:P1} of all {d}");
            Assert.True(sameStep >= 0.95, $"{sameStep:P1} of the {head.Length} neurons NeuroX adds by step 50 enter within one sweep step of NeuroX's ({sameStepAll:P1} of all)");
            var theirTop = Enumerable.Range(0, d).OrderBy(j => steps[j]).ThenBy(j => j).Take(100).ToHashSet();
            // Top 100 by entry step; ties at the cut are broken by index on both sides.
            var ourTop = Enumerable.Range(0, d).OrderBy(j => ours[j]).ThenBy(j => j).Take(100);
            int overlap = ourTop.Count(theirTop.Contains);
            output.WriteLine($"top-100 overlap {overlap}");
            Assert.True(overlap >= 90, $"top-100 overlap {overlap}");

            var predicted = LinearProbeDataAccess.Accuracy(ranking.Model!, data.Train, fx.Kernels);
            double theirs = json.RootElement.GetProperty("train_accuracy").GetDouble();
            output.WriteLine($"train accuracy {predicted:F4} vs NeuroX {theirs:F4}");
            Assert.True(Math.Abs(predicted - theirs) < 0.005, $"train accuracy {predicted:F4} vs NeuroX {theirs:F4}");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

/// <summary>Train accuracy of a model from its raw-space weights (what NeuroX's probe computes).</summary>
internal static class LinearProbeDataAccess
{
    public static double Accuracy(SoftmaxModel model, DataSplit split, IComputeKernels kernels)
    {
        var (w, b) = model.RawSpace();
        var x = split.Activations.ToArray();
        int rows = (int)split.Tokens, d = model.Features, cc = model.Classes, ok = 0;
        var z = new float[rows * cc];
        kernels.Sgemm(false, false, rows, cc, d, 1f, x, d, w, cc, 0f, z, cc);
        var y = split.Labels.Span;
        for (int r = 0; r < rows; r++)
        {
            int best = 0;
            for (int c = 1; c < cc; c++) if (z[r * cc + c] + b[c] > z[r * cc + best] + b[best]) best = c;
            if (best == y[r]) ok++;
        }
        return ok / (double)rows;
    }
}
