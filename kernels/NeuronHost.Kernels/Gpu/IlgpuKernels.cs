using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Gpu;

/// <summary>The kernels of <see cref="IComputeKernels"/> as ILGPU kernels on one accelerator:
/// CUDA (PTX, SGEMM through cuBLAS), OpenCL 2.0 GPUs, or ILGPU's CPU accelerator (a simulation
/// of groups, shared memory and barriers, used for testing). Matrices stream through device
/// memory in chunks (<see cref="ChunkStream"/>); statistics accumulate in float64 on the device
/// and merge across tasks and chunks on the host with Chan's formula. The small host-side steps
/// (Probeless arithmetic on the moments, top-k of a score vector) run on the host.</summary>
public sealed partial class IlgpuKernels : IComputeKernels, IDisposable
{
    private readonly Context? ownedContext;
    private readonly CuBlas? cuBlas;

    /// <summary>The backend on <paramref name="accelerator"/>; <paramref name="ownedContext"/>
    /// (if given) is disposed with it. <paramref name="id"/> is the choice that selects it
    /// ("cuda:0", "opencl:1", "ilgpu-cpu").</summary>
    public IlgpuKernels(Accelerator accelerator, string id, IlgpuOptions? options = null, Context? ownedContext = null)
    {
        Accelerator = accelerator;
        Id = id;
        Options = options ?? new IlgpuOptions();
        this.ownedContext = ownedContext;
        if (accelerator is CudaAccelerator cuda)
        {
            try { cuBlas = new CuBlas(cuda); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // No libcublas (or an incompatible one): the tiled shared-memory GEMM serves instead.
                CuBlasUnavailable = e.Message.Split('\n')[0];
            }
        }
    }

    /// <summary>The backend on ILGPU's CPU accelerator: groups of up to 64 threads (the tiled GEMM
    /// uses 8 × 8), one simulated multiprocessor per core up to 4.</summary>
    public static IlgpuKernels OnCpuAccelerator(IlgpuOptions? options = null)
    {
        var context = Context.Create(builder => builder.CPU().EnableAlgorithms());
        try
        {
            var device = new CPUDevice(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 4,
                numMultiprocessors: Math.Clamp(Environment.ProcessorCount, 1, 4));
            return new IlgpuKernels(device.CreateAccelerator(context), "ilgpu-cpu", options, context);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public Accelerator Accelerator { get; }
    public IlgpuOptions Options { get; }

    /// <summary>The choice that selects this backend: "cuda:0", "opencl:1", "ilgpu-cpu".</summary>
    public string Id { get; }

    public string Backend => $"{Id}: {Accelerator.Name}";

    /// <summary>Which SGEMM runs on the device: cuBLAS on CUDA, else the tiled shared-memory kernel.</summary>
    public string GemmImplementation => cuBlas is not null ? "cuBLAS" : "ILGPU tiled";

    /// <summary>Why cuBLAS could not be loaded on a CUDA device (null otherwise).</summary>
    public string? CuBlasUnavailable { get; }

    private bool IsGpu => Accelerator.AcceleratorType is AcceleratorType.Cuda or AcceleratorType.OpenCL;

    /// <summary>Compiles one kernel now: a smoke test of the driver and compiler, so a broken
    /// device falls back at selection time instead of failing in the middle of a run.</summary>
    public void Warm() => _ = MomentsKernel;

    /// <summary>One operation at a time per device: each may use the whole memory budget.</summary>
    private Lock.Scope Serialize() => gateLock.EnterScope();
    private readonly Lock gateLock = new();

    private long Budget => Options.DeviceMemoryBudgetBytes ?? Math.Min(Accelerator.MemorySize / 4, 1L << 30);

    /// <summary>Rows per chunk: <paramref name="bytesPerRow"/> (over all matrices) twice (two
    /// slots) plus <paramref name="fixedBytes"/> of state within the budget, and each matrix's
    /// chunk (<paramref name="maxRowBytes"/> per row) within <see cref="IlgpuOptions.MaxChunkBytes"/>.</summary>
    private int RowsPerChunk(long bytesPerRow, long maxRowBytes, long fixedBytes, long totalRows)
    {
        bytesPerRow = Math.Max(bytesPerRow, 4);
        maxRowBytes = Math.Max(maxRowBytes, 4);
        long rows = Math.Max(Budget - fixedBytes, 0) / 2 / bytesPerRow;
        if (Options.MaxChunkBytes is { } max) rows = Math.Min(rows, max / maxRowBytes);
        rows = Math.Min(rows, Math.Max(totalRows, 1));
        return (int)Math.Clamp(rows, 1, int.MaxValue / 4);
    }

    /// <summary>Chunk size of the last streaming operation (diagnostics, tests).</summary>
    public int LastRowsPerChunk { get; private set; }

    /// <summary>Row slices per column for the per-column kernels: enough threads for a GPU, a few
    /// on the CPU accelerator.</summary>
    private int RowSlices(int columns, long rows)
    {
        int slices = Options.RowSlices > 0 ? Options.RowSlices
            : IsGpu ? Math.Clamp(65536 / Math.Max(columns, 1), 1, 64) : 4;
        return (int)Math.Clamp(Math.Min(slices, rows), 1, int.MaxValue);
    }

    public double[] ProbelessScores(ClassMoments moments) => ProbelessMath.Scores(moments);

    public double[] ProbelessPerClassScores(ClassMoments moments) => ProbelessMath.PerClassScores(moments);

    public int[] TopK(ReadOnlySpan<double> scores, int k) => Cpu.TopKKernel.TopK(scores, k);

    public void Dispose()
    {
        cuBlas?.Dispose();
        Accelerator.Dispose();
        ownedContext?.Dispose();
    }
}
