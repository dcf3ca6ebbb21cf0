using NeuronHost.Kernels.OpenCl;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Tests.OpenCl;

/// <summary>The whole backend contract on the first OpenCL device (pocl on CI). With fp64 on
/// the device (pocl has it) the moments meet the CPU tolerance of 1e-9; without it 1e-5.
/// Without any OpenCL runtime these run on what <c>KernelBackends.Create("opencl")</c> falls
/// back to, and <see cref="Runs_on_an_OpenCL_device"/> is skipped with the reason; with
/// NEURONHOST_REQUIRE_SHARED=1 a missing runtime fails instead.</summary>
public class OpenClKernelTests : KernelContractTests
{
    private static readonly Lazy<IComputeKernels> kernels = new(() => Make(null));

    protected override IComputeKernels Kernels => kernels.Value;

    protected override double MomentTolerance => OpenClDevice.Available && !OpenClDevice.Device.Fp64 ? 1e-5 : 1e-9;

    protected static IComputeKernels Make(OpenClOptions? options)
    {
        if (OpenClDevice.Available) return OpenClDevice.Kernels(options);
        if (OpenClDevice.Required) throw new InvalidOperationException("NEURONHOST_REQUIRE_SHARED=1 but there is no OpenCL device: " + OpenClDevice.SkipReason);
        return KernelBackends.Create("opencl", options).Kernels;
    }

    [OpenClFact]
    public void Runs_on_an_OpenCL_device() => Assert.StartsWith("opencl: ", Kernels.Backend);
}

/// <summary>The contract again with chunks forced down to 4 KiB (a few rows): streaming,
/// double buffering and the chunk merges must not change any result.</summary>
public sealed class OpenClSmallChunkKernelTests : OpenClKernelTests
{
    private static readonly Lazy<IComputeKernels> small = new(() => Make(new OpenClOptions { MaxChunkBytes = 4096 }));

    protected override IComputeKernels Kernels => small.Value;
}

/// <summary>The contract with float accumulation on the device (what a device without
/// cl_khr_fp64, or a consumer GPU with UseFp64 = false, runs): moments within 1e-5 relative.</summary>
public sealed class OpenClFloatAccumulationKernelTests : OpenClKernelTests
{
    private static readonly Lazy<IComputeKernels> single = new(() => Make(new OpenClOptions { UseFp64 = false }));

    protected override IComputeKernels Kernels => single.Value;

    protected override double MomentTolerance => 1e-5;
}
