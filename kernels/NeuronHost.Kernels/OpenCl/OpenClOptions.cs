namespace NeuronHost.Kernels.OpenCl;

/// <summary>Tuning of the OpenCL backend. Defaults suit a GPU; the environment can override the
/// chunk limit (<c>NEURONHOST_OPENCL_MAX_CHUNK_BYTES</c>) and the budget
/// (<c>NEURONHOST_OPENCL_BUDGET_BYTES</c>).</summary>
public sealed record OpenClOptions
{
    public const string MaxChunkVariable = "NEURONHOST_OPENCL_MAX_CHUNK_BYTES";
    public const string BudgetVariable = "NEURONHOST_OPENCL_BUDGET_BYTES";

    /// <summary>Device memory the backend may use at once (both chunk buffers, state, outputs).
    /// Null: a quarter of the device's global memory, at most 1 GiB.</summary>
    public long? DeviceMemoryBudgetBytes { get; init; } = ReadLong(BudgetVariable);

    /// <summary>Upper bound on one uploaded chunk of one matrix (a forced small value exercises
    /// the streaming path). Null: derived from the budget and the device's max allocation.</summary>
    public long? MaxChunkBytes { get; init; } = ReadLong(MaxChunkVariable);

    /// <summary>Rows per class-moment task (one work-group's run of rows of one class).</summary>
    public int TaskRows { get; init; } = 256;

    /// <summary>Row slices per column for min/max, histograms and top-k (more work-items for a GPU).</summary>
    public int RowSlices { get; init; } = 0;

    /// <summary>Accumulate in double on the device. Null: when the device has cl_khr_fp64 (turn it
    /// off on consumer GPUs whose fp64 rate is 1/32–1/64; float accumulation then runs over
    /// runs of at most TaskRows/4 rows, merged in double on the host).</summary>
    public bool? UseFp64 { get; init; } = Environment.GetEnvironmentVariable("NEURONHOST_OPENCL_FP64") switch
    {
        "0" => false,
        "1" => true,
        _ => null,
    };

    /// <summary>Test hook: a chunk buffer larger than this fails as CL_MEM_OBJECT_ALLOCATION_FAILURE,
    /// as a device running out of memory would; the backend must halve the chunk and retry.</summary>
    public long? SimulatedAllocationLimitBytes { get; init; }

    private static long? ReadLong(string variable) =>
        long.TryParse(Environment.GetEnvironmentVariable(variable), out var v) && v > 0 ? v : null;
}
