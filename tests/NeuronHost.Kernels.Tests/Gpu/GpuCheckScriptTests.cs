using System.Diagnostics;
using NeuronHost.Tests.Common;

namespace NeuronHost.Kernels.Tests.Gpu;

/// <summary>scripts/gpu-check.sh on a machine without an NVIDIA GPU (CI, these machines) stops at
/// once with one line saying so and exit code 2, before building anything.</summary>
public class GpuCheckScriptTests
{
    [Fact]
    public async Task Without_an_NVIDIA_GPU_the_check_fails_with_one_clear_line()
    {
        // Only the basic tools on PATH: no nvidia-smi even where a GPU driver is installed.
        var psi = new ProcessStartInfo("bash", [Path.Combine(SharedAssets.RepoRoot, "scripts", "gpu-check.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["PATH"] = "/usr/bin:/bin";
        if (File.Exists("/usr/bin/nvidia-smi")) return;   // a GPU machine: the script really runs there
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000));
        Assert.Equal(2, process.ExitCode);
        Assert.Equal("", await stdout);
        Assert.Equal("gpu-check: no NVIDIA GPU here (nvidia-smi missing or lists no GPU); nothing to check\n", stderr);
    }
}
