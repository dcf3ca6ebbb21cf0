using NeuronHost.Kernels.Gpu;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Tests.Gpu;

/// <summary>The whole backend contract on the ILGPU backend: ILGPU's CPU accelerator here and in
/// CI, or the device named by <see cref="IlgpuTestBackend.Variable"/> (scripts/gpu-check.sh sets
/// it to cuda). Chunks as the budget gives them (one chunk for these sizes).</summary>
public class IlgpuKernelTests : KernelContractTests
{
    private static readonly Lazy<IlgpuKernels> kernels = new(() => IlgpuTestBackend.Create(null));

    protected override IComputeKernels Kernels => kernels.Value;

    [Fact]
    public void Runs_on_the_chosen_ILGPU_accelerator() =>
        Assert.StartsWith(IlgpuTestBackend.Choice + ":", Kernels.Backend.Replace("cuda:0", "cuda").Replace("opencl:0", "opencl"));
}

/// <summary>The contract again with chunks forced down to 16 KiB (100 rows of 40 neurons): the streaming,
/// the two slots and the Chan merges across chunks must not change any result (the NaN rows
/// and empty classes of the contract then sit in later chunks).</summary>
public sealed class IlgpuSmallChunkKernelTests : IlgpuKernelTests
{
    private const int ChunkBytes = 16384;
    private static readonly Lazy<IlgpuKernels> small = new(() => IlgpuTestBackend.Create(new IlgpuOptions { MaxChunkBytes = ChunkBytes, TaskRows = 16 }));

    protected override IComputeKernels Kernels => small.Value;

    [Fact]
    public void Small_chunks_really_split_the_matrix()
    {
        int rows = 1000, cols = 37;
        var x = TestData.Matrix(rows, cols, seed: 3);
        small.Value.ClassMoments(TestData.Dense(x, rows, cols), new int[rows], 1);
        Assert.InRange(small.Value.LastRowsPerChunk, 1, ChunkBytes / (cols * 4));
    }
}
