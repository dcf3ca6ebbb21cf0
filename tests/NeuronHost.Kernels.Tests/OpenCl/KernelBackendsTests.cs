using NeuronHost.Kernels.Cpu;
using NeuronHost.Kernels.OpenCl;

namespace NeuronHost.Kernels.Tests.OpenCl;

public class KernelBackendsTests
{
    private const string Missing = "libOpenCL-not-installed.so.1";

    [Theory]
    [InlineData("auto")]
    [InlineData("opencl")]
    [InlineData("opencl:0")]
    public void Without_an_OpenCL_runtime_every_choice_falls_back_to_cpu_with_a_notice(string choice)
    {
        var chosen = KernelBackends.Create(choice, openClLibrary: Missing);
        Assert.IsType<CpuKernels>(chosen.Kernels);
        Assert.Equal("cpu-simd", chosen.Kernels.Backend);
        Assert.Equal($"OpenCL runtime not found ({Missing}); using cpu-simd", chosen.Notice);
        Assert.DoesNotContain('\n', chosen.Notice);
    }

    [Fact]
    public void Without_an_OpenCL_runtime_the_device_list_says_why()
    {
        var rows = KernelBackends.ListDevices(Missing);
        Assert.Equal("cpu", rows[0].Id);
        Assert.Equal(2, rows.Count);
        Assert.Contains($"OpenCL runtime not found ({Missing})", rows[1].ToString());
        Assert.Null(ClApi.TryLoad(Missing, out var error));
        Assert.Contains(Missing, error);
    }

    [Fact]
    public void Cpu_and_unknown_choices()
    {
        var cpu = KernelBackends.Create("cpu");
        Assert.IsType<CpuKernels>(cpu.Kernels);
        Assert.StartsWith("using cpu-simd", cpu.Notice);
        var unknown = KernelBackends.Create("tpu");
        Assert.IsType<CpuKernels>(unknown.Kernels);
        Assert.Contains("unknown backend 'tpu'", unknown.Notice);
    }

    [OpenClFact]
    public void Opencl_choices_select_the_device_and_auto_prefers_cpu_simd_over_a_cpu_device()
    {
        var first = KernelBackends.Create("opencl");
        Assert.Equal($"opencl: {OpenClDevice.Device.Name}", first.Kernels.Backend);
        Assert.StartsWith("using opencl:0", first.Notice);
        Assert.Equal(first.Kernels.Backend, KernelBackends.Create("OpenCL:0").Kernels.Backend);

        var missing = KernelBackends.Create("opencl:99");
        Assert.IsType<CpuKernels>(missing.Kernels);
        Assert.Contains("no OpenCL device 99", missing.Notice);

        var auto = KernelBackends.Create("auto");
        if (OpenClDevice.Device.IsGpu) Assert.IsType<OpenClKernels>(auto.Kernels);
        else
        {
            Assert.IsType<CpuKernels>(auto.Kernels);
            Assert.Contains("no OpenCL GPU", auto.Notice);
        }

        var rows = KernelBackends.ListDevices();
        Assert.Contains(rows, r => r.Id == "opencl:0" && r.Description.Contains(OpenClDevice.Device.Name));
    }
}
