using System.Reflection;
using ILGPU.Backends.EntryPoints;
using NeuronHost.Kernels.Gpu.OnDevice;

namespace NeuronHost.Kernels.Gpu;

/// <summary>Every device kernel of the ILGPU backend with how it is launched: implicitly
/// grouped (ILGPU picks the group size) or explicitly grouped (shared memory, barriers). The
/// PTX compile test walks this list, so a kernel added here is compiled for every target.</summary>
public static class KernelCatalog
{
    public sealed record Entry(string Name, MethodInfo Method, bool ExplicitlyGrouped)
    {
        public EntryPointDescription Description => ExplicitlyGrouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(Method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(Method);
    }

    public static IReadOnlyList<Entry> All { get; } =
    [
        Implicit(typeof(MomentKernel), nameof(MomentKernel.ClassMoments)),
        Implicit(typeof(ColumnKernels), nameof(ColumnKernels.TopRows)),
        Implicit(typeof(ColumnKernels), nameof(ColumnKernels.MinMax)),
        Implicit(typeof(ColumnKernels), nameof(ColumnKernels.Histogram)),
        Implicit(typeof(CorrelationKernels), nameof(CorrelationKernels.Standardise)),
        Implicit(typeof(CorrelationKernels), nameof(CorrelationKernels.RowMaxAbs)),
        Implicit(typeof(EditKernel), nameof(EditKernel.ApplyEdit)),
        new(nameof(GemmKernel.Gemm), typeof(GemmKernel).GetMethod(nameof(GemmKernel.Gemm))!, ExplicitlyGrouped: true),
    ];

    private static Entry Implicit(Type type, string name) => new(name, type.GetMethod(name)!, ExplicitlyGrouped: false);
}
