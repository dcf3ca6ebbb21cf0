using NeuronHost.Sdk;

namespace NeuronHost.Kernels.OpenCl;

/// <summary>The kernels of <see cref="IComputeKernels"/> as OpenCL C programs on one device.
/// Matrices stream through device memory in chunks bounded by the memory budget (two chunk
/// buffers, upload of the next overlapping compute of this one); a device that runs out of
/// memory makes the operation start over with half the chunk. Accumulation on the device is in
/// double when the device has cl_khr_fp64, otherwise float over short runs; the merges of
/// chunks and work-groups run on the host in float64. The small host-side steps (Probeless
/// arithmetic on the moments, top-k of a score vector) run on the host.</summary>
public sealed partial class OpenClKernels : IComputeKernels
{
    private readonly ClContext ctx;

    public OpenClKernels(ClApi api, ClDevice device, OpenClOptions? options = null)
    {
        ctx = ClContext.For(api, device);
        Options = options ?? new OpenClOptions();
    }

    /// <summary>The backend on device number <paramref name="deviceIndex"/> (counted over all
    /// platforms, as <c>neuronhost devices</c> lists them). Throws with a clear message when
    /// there is no runtime or no such device.</summary>
    public static OpenClKernels Create(int deviceIndex = 0, OpenClOptions? options = null, string? library = null)
    {
        var api = ClApi.TryLoad(library, out var error) ?? throw new InvalidOperationException(error);
        var devices = ClDiscovery.Devices(api);
        if (devices.Count == 0) throw new InvalidOperationException($"OpenCL runtime ({api.Library}) has no platform or device");
        if ((uint)deviceIndex >= (uint)devices.Count)
            throw new ArgumentOutOfRangeException(nameof(deviceIndex), $"there is no OpenCL device {deviceIndex}; devices are 0..{devices.Count - 1}");
        return new OpenClKernels(api, devices[deviceIndex], options);
    }

    public OpenClOptions Options { get; }
    public ClDevice Device => ctx.Device;
    public ClContext Context => ctx;
    public string Backend => $"opencl: {Device.Name}";

    /// <summary>Whether device accumulation runs in double (cl_khr_fp64).</summary>
    public bool AccumulatesInDouble => Device.Fp64 && (Options.UseFp64 ?? true);

    /// <summary>One operation at a time per device: each may use the whole memory budget, and
    /// the queues are shared. (Monitor is re-entrant, so an operation may call another.)</summary>
    private GateScope Serialize()
    {
        Monitor.Enter(ctx.Gate);
        if (depth++ == 0) ReleaseProfiled();
        return new GateScope(this);
    }

    private int depth;
    private readonly List<ClEvent> profiled = [];

    /// <summary>Keeps a kernel's event to add its execution time to <see cref="LastDeviceSeconds"/>.</summary>
    private ClEvent Track(ClEvent kernelEvent)
    {
        profiled.Add(kernelEvent.Retain());
        return kernelEvent;
    }

    private void ReleaseProfiled()
    {
        foreach (var e in profiled) e.Release();
        profiled.Clear();
    }

    /// <summary>Seconds the device spent executing kernels in the last operation, without the
    /// host↔device transfers and host merges (from OpenCL profiling events): divide the kernel's
    /// bytes by it to compare with a GPU's memory bandwidth. NaN when the driver does not profile.</summary>
    public double LastDeviceSeconds { get; private set; }

    private readonly struct GateScope(OpenClKernels owner) : IDisposable
    {
        public void Dispose()
        {
            if (--owner.depth == 0)
            {
                double total = 0;
                try { foreach (var e in owner.profiled) total += e.Seconds(); }
                finally { owner.ReleaseProfiled(); }
                owner.LastDeviceSeconds = total;
            }
            Monitor.Exit(owner.ctx.Gate);
        }
    }

    /// <summary>Builds the class-moments program now (a smoke test of the driver and compiler,
    /// and the first build is then not inside a timed run).</summary>
    public void Warm() => ctx.Program("moments.cl", AccumulatesInDouble ? "-DUSE_FP64=1 " : "");

    /// <summary>A kernel from an embedded source, built with this backend's accumulation type.</summary>
    private ClKernel Kernel(string source, string name, string options = "") =>
        ctx.Kernel(source, name, (AccumulatesInDouble ? "-DUSE_FP64=1 " : "") + options);

    private long Budget => Options.DeviceMemoryBudgetBytes
        ?? (long)Math.Min(Device.GlobalMemBytes / 4, 1UL << 30);

    /// <summary>Rows per chunk: each of <paramref name="matrices"/> chunks of
    /// <paramref name="bytesPerRow"/> (summed over the matrices) twice (double buffering), plus
    /// <paramref name="fixedBytes"/> of state, within the budget, the device's largest
    /// allocation and <see cref="OpenClOptions.MaxChunkBytes"/>.</summary>
    private int RowsPerChunk(long bytesPerRow, long maxRowBytes, long fixedBytes, long totalRows)
    {
        bytesPerRow = Math.Max(bytesPerRow, 4);
        maxRowBytes = Math.Max(maxRowBytes, 4);
        long room = Math.Max(Budget - fixedBytes, 0) / 2;
        long rows = room / bytesPerRow;
        rows = Math.Min(rows, (long)Math.Min(Device.MaxAllocBytes, long.MaxValue) / maxRowBytes);
        if (Options.MaxChunkBytes is { } max) rows = Math.Min(rows, max / maxRowBytes);
        rows = Math.Min(rows, Math.Max(totalRows, 1));
        return (int)Math.Clamp(rows, 1, int.MaxValue / 4);
    }

    /// <summary>Runs <paramref name="run"/> with a chunk size, halving it and starting over
    /// when the device reports it is out of memory.</summary>
    private T WithChunkRetry<T>(int rowsPerChunk, Func<int, T> run)
    {
        while (true)
        {
            try { return run(rowsPerChunk); }
            catch (OpenClException e) when (e.IsOutOfMemory && rowsPerChunk > 1)
            {
                ctx.DrainPool();
                rowsPerChunk = Math.Max(1, rowsPerChunk / 2);
                ChunkRetries++;
            }
        }
    }

    /// <summary>How many times an operation started over with a smaller chunk (diagnostics).</summary>
    public int ChunkRetries { get; private set; }

    /// <summary>Chunk sizes used by the last streaming operation (diagnostics, tests).</summary>
    public int LastRowsPerChunk { get; private set; }

    /// <summary>Row slices for the per-column streaming kernels: enough work-items for a GPU,
    /// a few per compute unit on a CPU device.</summary>
    private int RowSlices(int columns)
    {
        if (Options.RowSlices > 0) return Options.RowSlices;
        return Device.IsGpu ? Math.Clamp(65536 / Math.Max(columns, 1), 1, 64) : Math.Clamp(Device.ComputeUnits, 1, 8);
    }

    private static int LocalColumns(int columns) => columns >= 64 ? 64 : columns >= 32 ? 32 : 16;

    public double[] ProbelessScores(ClassMoments moments) => ProbelessMath.Scores(moments);

    public double[] ProbelessPerClassScores(ClassMoments moments) => ProbelessMath.PerClassScores(moments);

    public int[] TopK(ReadOnlySpan<double> scores, int k)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), $"k must not be negative (got {k})");
        k = Math.Min(k, scores.Length);
        var keys = new double[scores.Length];
        var isNaN = new bool[scores.Length];
        var index = new int[scores.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            isNaN[i] = double.IsNaN(scores[i]);
            keys[i] = isNaN[i] ? double.NegativeInfinity : scores[i];
            index[i] = i;
        }
        // Sort by (score desc, NaN last, index asc).
        Array.Sort(index, (x, y) =>
        {
            int c = keys[y].CompareTo(keys[x]);
            if (c != 0) return c;
            bool nx = isNaN[x], ny = isNaN[y];
            if (nx != ny) return nx ? 1 : -1;
            return x.CompareTo(y);
        });
        return index[..k];
    }
}
