using System.Text.RegularExpressions;
using NeuronHost.Tests.Common;

namespace NeuronHost.Benchmarks.Tests;

/// <summary><c>bench probes --quick</c> end to end: our probe and NeuroX's Adam trainer
/// (Debian's PyTorch) both run on the same tiny task and the table prints both rows and their
/// ratio. Not a timing assertion: --quick sizes measure nothing.</summary>
public sealed class ProbesCommandTests
{
    [Fact]
    public void Quick_run_prints_both_trainers_and_the_speed_up()
    {
        Assert.True(PythonReference.HasModule("torch"), "python3 with torch (Debian python3-torch) is required for NeuroX's trainer");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = BenchCommands.Root().Parse(["probes", "--quick", "--gaussian"]).Invoke(new() { Output = output, Error = error });
        string text = output.ToString();
        Assert.True(code == 0, $"exit {code}: {error}\n{text}");
        Assert.Matches(new Regex(@"SGEMM peak: \d+\.\d GFLOP/s"), text);
        Assert.Matches(new Regex(@"NeuronHost OWL-QN \(\d+ it\.[^)]*\)\s+\d+\.\d\d\s+\d+\.\d\d %"), text);
        Assert.Matches(new Regex(@"NeuroX Adam, 10 epochs, batch 32 \(torch, \d threads? \+ OpenBLAS \d\)\s+\d+\.\d\d\s+\d+\.\d\d %"), text);
        Assert.Matches(new Regex(@"one pass \(\d+ × \d+ × \d+, \d+\.\d\d GFLOP\): fused kernels \d+\.\d ms = \d+\.\d GFLOP/s .* SGEMM ×2 \d+\.\d ms"), text);
        Assert.Matches(new Regex(@"time to Adam's dev accuracy − 0\.5 pt \([\d.]+ ?%\), both charged until their first check at it: ours (\d+\.\d\d s \(iteration \d+|not reached).*, Adam (\d+\.\d\d s|not reached)"), text);
        Assert.Matches(new Regex(@"speed-up \d+\.\d× \(round by round [\d.]+× \([\d.]+–[\d.]+, n=1\); load average [^)]*\), dev accuracy difference [+-]\d+\.\d\d pt"), text);
        Assert.Matches(new Regex(@"GFLOP/s = \d+ ?% of SGEMM peak"), text);
        Assert.Contains("summary", text);
        // The Gaussian selection, incremental and from scratch side by side.
        Assert.Matches(new Regex(@"RESULT: same neurons for the first \d+ of 10 steps"), text);
        Assert.Matches(new Regex(@"SPEED-UP at 10 steps: \d+\.\d× wall, \d+\.\d× CPU \(both measured over all 10 steps"), text);
    }
}
