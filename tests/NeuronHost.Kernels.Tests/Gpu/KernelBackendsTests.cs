using NeuronHost.Kernels.Cpu;
using NeuronHost.Kernels.Gpu;

namespace NeuronHost.Kernels.Tests.Gpu;

/// <summary>Backend choice and its one-line fallbacks. With library names that do not exist the
/// lines are those of a machine without a GPU driver; with the real names, whatever this machine
/// has (CI: no CUDA driver, and no unversioned libOpenCL.so for ILGPU).</summary>
public class KernelBackendsTests
{
    private static readonly GpuProbe Nothing = new("libcuda-not-installed.so.1", "libOpenCL-not-installed.so");
    private const string NoCuda = "no CUDA driver (libcuda-not-installed.so.1 not found)";
    private static readonly string NoOpenCl = "no OpenCL loader for ILGPU (libOpenCL-not-installed.so not found"
        + (OperatingSystem.IsLinux() ? "; Debian: ocl-icd-opencl-dev)" : ")");

    public static TheoryData<string, string> Fallbacks => new()
    {
        { "auto", $"no CUDA or OpenCL GPU ({NoCuda}; {NoOpenCl}); using cpu-simd" },
        { "gpu", $"no CUDA or OpenCL GPU ({NoCuda}; {NoOpenCl}); using cpu-simd" },
        { "cuda", $"{NoCuda}; using cpu-simd" },
        { "CUDA:0", $"{NoCuda}; using cpu-simd" },
        { "cuda:3", $"{NoCuda}; using cpu-simd" },
        { "opencl", $"{NoOpenCl}; using cpu-simd" },
        { "opencl:1", $"{NoOpenCl}; using cpu-simd" },
        { "opencl:gpu", $"{NoOpenCl}; using cpu-simd" },
        { "tpu", "unknown backend 'tpu' (choose auto, cpu, cuda, cuda:N, opencl, opencl:N, ilgpu-cpu); using cpu-simd" },
        { "cuda:-1", "unknown backend 'cuda:-1' (choose auto, cpu, cuda, cuda:N, opencl, opencl:N, ilgpu-cpu); using cpu-simd" },
    };

    [Theory, MemberData(nameof(Fallbacks))]
    public void Without_GPU_drivers_every_choice_falls_back_to_cpu_simd_saying_why_in_one_line(string choice, string notice)
    {
        var chosen = KernelBackends.Create(choice, probe: Nothing);
        Assert.IsType<CpuKernels>(chosen.Kernels);
        Assert.Equal("cpu-simd", chosen.Kernels.Backend);
        Assert.Equal(notice, chosen.Notice);
        Assert.DoesNotContain('\n', chosen.Notice);
    }

    [Fact]
    public void Without_GPU_drivers_the_device_list_says_why_beside_cpu_simd_and_the_CPU_accelerator()
    {
        var rows = KernelBackends.ListDevices(Nothing);
        Assert.Equal(["cpu", "cuda", "opencl", "ilgpu-cpu"], rows.Select(r => r.Id));
        Assert.Equal($"cuda       none        {NoCuda}", rows[1].ToString());
        Assert.Equal($"opencl     none        {NoOpenCl}", rows[2].ToString());
        Assert.StartsWith("cpu        CPU SIMD    cpu-simd (", rows[0].ToString());
        Assert.Equal("ILGPU CPU", rows[3].Kind);
    }

    [Fact]
    public void On_this_machine_auto_takes_a_GPU_or_says_why_not()
    {
        using var devices = new IlgpuDevices();
        var auto = KernelBackends.Create("auto");
        var gpu = devices.Cuda.Concat(devices.OpenCl).FirstOrDefault(d => d.IsGpu && d.Unusable is null);
        if (gpu is not null)
        {
            Assert.StartsWith($"{gpu.Id}: ", auto.Kernels.Backend);
            Assert.StartsWith($"using {gpu.Id} (", auto.Notice);
            return;
        }
        Assert.IsType<CpuKernels>(auto.Kernels);
        Assert.StartsWith("no CUDA or OpenCL GPU (", auto.Notice);
        Assert.EndsWith("); using cpu-simd", auto.Notice);
        if (devices.CudaMissing is { } cuda) Assert.Contains(cuda, auto.Notice);
        if (devices.OpenClMissing is { } openCl) Assert.Contains(openCl, auto.Notice);
        Assert.DoesNotContain('\n', auto.Notice);
        // Every ILGPU OpenCL device this machine has is listed, usable or with the reason it is not.
        var rows = KernelBackends.ListDevices();
        foreach (var d in devices.OpenCl) Assert.Contains(rows, r => r.Id == d.Id && r.Description.Contains(d.Name));
    }

    [Fact]
    public void Cpu_ilgpu_cpu_and_old_names()
    {
        var cpu = KernelBackends.Create("cpu");
        Assert.IsType<CpuKernels>(cpu.Kernels);
        Assert.StartsWith("using cpu-simd (", cpu.Notice);
        Assert.IsType<CpuKernels>(KernelBackends.Create("cpu-simd").Kernels);

        var simulated = KernelBackends.Create("ilgpu-cpu");
        using var kernels = Assert.IsType<IlgpuKernels>(simulated.Kernels);
        Assert.StartsWith("ilgpu-cpu: ", kernels.Backend);
        Assert.Equal("ILGPU tiled", kernels.GemmImplementation);
        Assert.StartsWith("using ilgpu-cpu (", simulated.Notice);

        foreach (var known in new[] { "auto", "cpu", "cpu-simd", "gpu", "cuda", "cuda:2", "opencl", "OpenCL:0", "opencl:gpu", "ilgpu-cpu" })
            Assert.True(KernelBackends.IsKnown(known), known);
        foreach (var unknown in new[] { "tpu", "cuda:", "cuda:x", "opencl:-1", "", "pocl" })
            Assert.False(KernelBackends.IsKnown(unknown), unknown);
    }

    [Fact]
    public void The_environment_variable_is_read_when_no_choice_is_given()
    {
        var before = Environment.GetEnvironmentVariable(KernelBackends.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(KernelBackends.EnvironmentVariable, "cuda:7");
            var chosen = KernelBackends.Create(null, probe: Nothing);
            Assert.Equal($"{NoCuda}; using cpu-simd", chosen.Notice);
        }
        finally { Environment.SetEnvironmentVariable(KernelBackends.EnvironmentVariable, before); }
    }
}
