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

/// <summary>The executable where ILGPU can reach OpenCL but the only device is pocl's CPU device
/// (CI installs pocl; ILGPU needs the unversioned libOpenCL.so, provided here by a symlink in a
/// temporary folder on LD_LIBRARY_PATH): the device is listed with why ILGPU cannot use it, and
/// both auto and opencl:0 fall back to cpu-simd saying so in one line.</summary>
public sealed class DevicesWithPoclTests
{
    private const string Loader = "/usr/lib/x86_64-linux-gnu/libOpenCL.so.1";
    private const string Refusal = "GenericAddressSpace feature is not supported on this device";

    public const string PoclIcd = "/etc/OpenCL/vendors/pocl.icd";

    [PoclFact]
    public async Task Pocl_is_listed_as_not_usable_and_every_choice_says_why()
    {
        var dir = Directory.CreateTempSubdirectory("nh-opencl-");
        try
        {
            File.CreateSymbolicLink(Path.Combine(dir.FullName, "libOpenCL.so"), Loader);
            var lines = (await Run(dir.FullName, "devices")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var pocl = Assert.Single(lines, l => l.StartsWith("opencl:0   OpenCL CPU  "));
            Assert.EndsWith($"— not usable: {Refusal}", pocl);
            Assert.Contains("GiB]", pocl);
            Assert.Matches($@"^auto picks: cpu-simd \(no CUDA or OpenCL GPU \(.*; no OpenCL GPU \(opencl:0, .*, is an OpenCL CPU device; ILGPU cannot use it: {Refusal}\)\); using cpu-simd\)$", lines[^1]);
            var opencl0 = (await Run(dir.FullName, "devices", "--backend", "opencl:0")).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
            Assert.Matches($@"^opencl:0 picks: cpu-simd \(opencl:0 \(.*\) cannot run ILGPU kernels: {Refusal}; using cpu-simd\)$", opencl0);
        }
        finally { dir.Delete(true); }
    }

    private static async Task<string> Run(string libraryPath, params string[] args)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var exe = Path.Combine(NeuronHost.Tests.Common.SharedAssets.RepoRoot, "host", "NeuronHost.Cli", "bin", configuration, "net10.0", "neuronhost");
        Assert.True(File.Exists(exe), $"{exe} is not built");
        var psi = new System.Diagnostics.ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["LD_LIBRARY_PATH"] = libraryPath;
        psi.Environment["NEURONHOST_CONFIG"] = Path.Combine(Path.GetTempPath(), "neuronhost-no-config.json");
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, p.ExitCode);
        return (await stdout).Replace("\r", "");
    }
}

/// <summary>A fact that needs the OpenCL loader and pocl (Debian ocl-icd-libopencl1, pocl-opencl-icd).</summary>
public sealed class PoclFactAttribute : FactAttribute
{
    public PoclFactAttribute()
    {
        if (!File.Exists("/usr/lib/x86_64-linux-gnu/libOpenCL.so.1") || !File.Exists(DevicesWithPoclTests.PoclIcd))
            Skip = "needs the OpenCL loader and pocl (apt: ocl-icd-libopencl1 pocl-opencl-icd)";
    }
}
