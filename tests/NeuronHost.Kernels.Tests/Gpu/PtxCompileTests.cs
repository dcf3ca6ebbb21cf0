using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using NeuronHost.Kernels.Gpu;

namespace NeuronHost.Kernels.Tests.Gpu;

/// <summary>Every kernel of the ILGPU backend compiles to CUDA PTX for Turing (SM_75), Ampere
/// (SM_80) and Hopper (SM_90) without a GPU: ILGPU's PTX backend runs offline. The PTX text must
/// declare one visible entry point per kernel and its target: sm_75 and sm_80 as asked; ILGPU
/// 1.5.3 writes sm_80 for anything newer (checked for SM_86 and SM_90), which a Hopper driver
/// JIT-compiles (PTX is forward compatible).</summary>
public class PtxCompileTests
{
    public static TheoryData<string, string> Architectures => new() { { "SM_75", "sm_75" }, { "SM_80", "sm_80" }, { "SM_90", "sm_80" } };

    [Theory, MemberData(nameof(Architectures))]
    public void Every_kernel_compiles_to_PTX_with_its_entry_point(string name, string target)
    {
        var architecture = name switch
        {
            "SM_75" => CudaArchitecture.SM_75,
            "SM_80" => CudaArchitecture.SM_80,
            _ => CudaArchitecture.SM_90,
        };
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        using var backend = new PTXBackend(context, architecture, CudaInstructionSet.ISA_80, null!);
        Assert.Equal(8, KernelCatalog.All.Count);
        foreach (var kernel in KernelCatalog.All)
        {
            var ptx = ((PTXCompiledKernel)backend.Compile(kernel.Description, default(KernelSpecialization))).PTXAssembly;
            var entries = Regex.Matches(ptx, @"^\.visible \.entry (\S+)\(", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToArray();
            Assert.True(entries.Length == 1 && entries[0].Contains(kernel.Name), $"{kernel.Name} for {name}: entries [{string.Join(", ", entries)}]");
            Assert.Contains(".version 8.0", ptx);
            Assert.Matches($@"(?m)^\.target {target}\b", ptx);
            if (kernel.ExplicitlyGrouped) Assert.Contains("bar.sync", ptx);   // the tiled GEMM's Group.Barrier
        }
    }
}
