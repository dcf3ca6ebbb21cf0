namespace NeuronHost.Kernels.Gpu;

/// <summary>Tuning of the ILGPU backend. The environment can override the device memory budget
/// (<c>NEURONHOST_GPU_BUDGET_BYTES</c>) and the chunk limit (<c>NEURONHOST_GPU_MAX_CHUNK_BYTES</c>).</summary>
public sealed record IlgpuOptions
{
    public const string BudgetVariable = "NEURONHOST_GPU_BUDGET_BYTES";
    public const string MaxChunkVariable = "NEURONHOST_GPU_MAX_CHUNK_BYTES";

    /// <summary>Device memory one operation may use (both chunk slots, state, outputs). Null: a
    /// quarter of the device's memory, at most 1 GiB.</summary>
    public long? DeviceMemoryBudgetBytes { get; init; } = ReadLong(BudgetVariable);

    /// <summary>Upper bound on one uploaded chunk of one matrix (a small value forces many chunks,
    /// which is how the tests cross chunk boundaries).</summary>
    public long? MaxChunkBytes { get; init; } = ReadLong(MaxChunkVariable);

    /// <summary>Rows per class-moment task (one thread's run of rows of one class and column).</summary>
    public int TaskRows { get; init; } = 256;

    /// <summary>Row slices per column for top rows and histograms. 0: enough threads for a GPU,
    /// a few on the CPU accelerator.</summary>
    public int RowSlices { get; init; }

    private static long? ReadLong(string variable) =>
        long.TryParse(Environment.GetEnvironmentVariable(variable), out var v) && v > 0 ? v : null;
}
