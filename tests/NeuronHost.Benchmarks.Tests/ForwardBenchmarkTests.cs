using NeuronHost.Benchmarks.Forward;
using NeuronHost.Tests.Common;

namespace NeuronHost.Benchmarks.Tests;

/// <summary><c>bench forward</c> on a real checkpoint: our logits must match PyTorch's (the same
/// forward written in torch ops) before any speed ratio is worth printing.</summary>
public sealed class ForwardBenchmarkTests
{
    [SharedFact]
    public void Gpt2_mini_brown_alternates_with_torch_and_their_logits_agree()
    {
        Assert.True(PythonReference.HasModule("torch"), "python3 with torch (Debian python3-torch) is required for the reference");
        var log = new StringWriter();
        var r = ForwardBenchmark.Run(SharedAssets.Model("gpt2-mini-brown"), batch: 2, length: 16, rounds: 5, log: log);
        Assert.Null(r.TorchProblem);
        Assert.NotNull(r.MaxLogitDifference);
        Assert.True(r.MaxLogitDifference < 1e-3, $"max |Δlogit| {r.MaxLogitDifference} vs torch");
        Assert.Equal(5, r.Ours.Values.Count);
        Assert.Equal(5, r.Torch!.Values.Count);
        Assert.InRange(r.TorchThreads, 1, Environment.ProcessorCount);
        Assert.Contains("round 5/5", log.ToString());
        Assert.Contains("ours ÷ PyTorch", r.ToString());
    }
}
