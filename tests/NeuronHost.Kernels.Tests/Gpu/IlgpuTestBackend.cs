using NeuronHost.Kernels.Gpu;

namespace NeuronHost.Kernels.Tests.Gpu;

/// <summary>The ILGPU backend the contract tests run on: <c>ilgpu-cpu</c> unless
/// NEURONHOST_KERNEL_TEST_BACKEND names another (cuda, cuda:N, opencl, opencl:N). A named device
/// that is not there fails the tests with the fallback notice instead of testing cpu-simd.</summary>
public static class IlgpuTestBackend
{
    public const string Variable = "NEURONHOST_KERNEL_TEST_BACKEND";

    public static string Choice => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } v ? v.Trim().ToLowerInvariant() : "ilgpu-cpu";

    public static IlgpuKernels Create(IlgpuOptions? options)
    {
        if (Choice == "ilgpu-cpu") return IlgpuKernels.OnCpuAccelerator(options);
        var chosen = KernelBackends.Create(Choice, options);
        return chosen.Kernels as IlgpuKernels
            ?? throw new InvalidOperationException($"{Variable}={Choice}: {chosen.Notice}");
    }
}
