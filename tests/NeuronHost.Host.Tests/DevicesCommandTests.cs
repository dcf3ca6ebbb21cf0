using System.Text.Json;
using NeuronHost.Cli;
using NeuronHost.Kernels;
using NeuronHost.Kernels.Gpu;

namespace NeuronHost.Host.Tests;

/// <summary><c>neuronhost devices</c> lists cpu-simd, what ILGPU finds (or why a kind of GPU is
/// missing) and ILGPU's CPU accelerator, then what "auto" picks with its reason.</summary>
public sealed class DevicesCommandTests
{
    private static (int Code, string Out) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = CliApp.Run(args, Program.Commands, output, new StringWriter(), new CliContext { OnlyCommandLinePlugins = true });
        return (code, output.ToString());
    }

    [Fact]
    public void Devices_lists_every_backend_and_what_auto_picks()
    {
        var (code, stdout) = Run("devices");
        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("cpu        CPU SIMD    cpu-simd (", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("ilgpu-cpu  ILGPU CPU   ILGPU's CPU accelerator"));
        using var devices = new IlgpuDevices();
        if (devices.CudaMissing is { } noCuda) Assert.Contains($"cuda       none        {noCuda}", lines);
        foreach (var d in devices.Cuda) Assert.Contains(lines, l => l.StartsWith(d.Id) && l.Contains(d.Name) && l.Contains("sm_") && l.Contains("GiB"));
        if (devices.OpenClMissing is { } noOpenCl) Assert.Contains($"opencl     none        {noOpenCl}", lines);
        foreach (var d in devices.OpenCl) Assert.Contains(lines, l => l.StartsWith(d.Id) && l.Contains(d.Name) && l.Contains("GiB"));
        var auto = KernelBackends.Create("auto");
        Assert.Equal($"auto picks: {auto.Kernels.Backend} ({auto.Notice})", lines[^1].TrimEnd('\r'));
    }

    [Fact]
    public void Devices_json_has_the_same_rows()
    {
        var (code, stdout) = Run("devices", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var ids = doc.RootElement.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("id").GetString()).ToArray();
        Assert.Equal(KernelBackends.ListDevices().Select(d => d.Id), ids);
        Assert.Equal(KernelBackends.Create("auto").Notice, doc.RootElement.GetProperty("notice").GetString());
    }
}
