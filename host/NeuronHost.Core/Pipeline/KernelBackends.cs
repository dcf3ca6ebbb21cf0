using NeuronHost.Kernels.Cpu;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>The kernels for the config's backend name.</summary>
public static class KernelBackends
{
    public static IComputeKernels Create(string backend) => backend switch
    {
        "cpu" => new CpuKernels(),
        _ => throw new Config.ConfigException($"backend: '{backend}' is not available in this build (use cpu)"),
    };
}
