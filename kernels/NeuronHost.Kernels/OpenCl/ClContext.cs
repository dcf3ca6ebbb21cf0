using System.Collections.Concurrent;
using System.Text;

namespace NeuronHost.Kernels.OpenCl;

/// <summary>A context on one device with two in-order queues — one for transfers, one for
/// compute, so that the upload of the next chunk overlaps the kernels of this one — and the
/// device's cache of built programs (built at run time from the embedded .cl sources, once per
/// source and option set). One shared instance per device lives for the process.</summary>
public sealed unsafe class ClContext : IDisposable
{
    private static readonly ConcurrentDictionary<(string Library, nint Device), ClContext> shared = new();
    private readonly ConcurrentDictionary<(string Source, string Options), Lazy<nint>> programs = new();
    private nint context;

    public ClApi Api { get; }
    public ClDevice Device { get; }
    public nint ComputeQueue { get; private set; }
    public nint TransferQueue { get; private set; }
    /// <summary>Serialises operations: kernel objects and queues are used by one operation at a time.</summary>
    public object Gate { get; } = new();

    public ClContext(ClApi api, ClDevice device)
    {
        Api = api;
        Device = device;
        int rc;
        nint* props = stackalloc nint[3] { ClApi.ContextPlatform, device.Platform, 0 };
        nint d = device.Handle;
        context = api.CreateContext(props, 1, &d, 0, 0, &rc);
        ClErrors.Check(rc, "clCreateContext", $"on device '{device.Name}'");
        // Profiling on the compute queue: kernel times for device-side GB/s (OpenClKernels.LastDeviceSeconds).
        ComputeQueue = api.CreateCommandQueue(context, d, ClApi.QueueProfilingEnable, &rc);
        ClErrors.Check(rc, "clCreateCommandQueue", $"on device '{device.Name}'");
        TransferQueue = api.CreateCommandQueue(context, d, 0, &rc);
        ClErrors.Check(rc, "clCreateCommandQueue", $"on device '{device.Name}'");
    }

    /// <summary>The process-wide context of a device (so its program cache is shared).</summary>
    public static ClContext For(ClApi api, ClDevice device) =>
        shared.GetOrAdd((api.Library, device.Handle), _ => new ClContext(api, device));

    /// <summary>Compile options every program gets: row-tile barriers on CPU devices (see
    /// common.cl). Double accumulation (-DUSE_FP64=1) is chosen by the caller.</summary>
    public string BaseOptions => "-cl-std=CL1.2" + (Device.IsCpu ? " -DROW_SYNC=1" : "");

    public ClBuffer Buffer(long bytes, string name, ulong flags = ClApi.MemReadWrite)
    {
        int rc;
        nint h = Api.CreateBuffer(context, flags, (nuint)Math.Max(bytes, 4), null, &rc);
        ClErrors.Check(rc, "clCreateBuffer", $"for '{name}' ({bytes:N0} bytes) on '{Device.Name}'");
        return new ClBuffer(Api, h, bytes, name);
    }

    private readonly List<ClBuffer> pool = [];
    private const int PoolSize = 4;

    /// <summary>A chunk buffer of at least <paramref name="bytes"/> from the pool (reused across
    /// operations, so a large upload does not first pay for a fresh allocation and its page
    /// faults), or a new one. Give it back with <see cref="ReturnChunkBuffer"/>.</summary>
    public ClBuffer RentChunkBuffer(long bytes, string name)
    {
        lock (pool)
        {
            ClBuffer? best = null;
            foreach (var b in pool)
                if (b.Bytes >= bytes && b.Bytes <= 2 * bytes && (best is null || b.Bytes < best.Bytes)) best = b;
            if (best is not null) { pool.Remove(best); return best; }
        }
        // Read-write: the same pooled buffer serves uploads (read by kernels) and in-place edits.
        return Buffer(bytes, name, ClApi.MemReadWrite);
    }

    public void ReturnChunkBuffer(ClBuffer buffer)
    {
        lock (pool)
        {
            pool.Add(buffer);
            // At most PoolSize buffers and what the default budget allows, so idle device memory stays bounded.
            long cap = (long)Math.Min(Device.GlobalMemBytes / 4, 1UL << 30);
            while (pool.Count > PoolSize || pool.Sum(b => b.Bytes) > cap)
            {
                var smallest = pool.MinBy(b => b.Bytes)!;
                pool.Remove(smallest);
                smallest.Dispose();
            }
        }
    }

    /// <summary>Frees the pooled buffers (after the device ran out of memory).</summary>
    public void DrainPool()
    {
        lock (pool)
        {
            foreach (var b in pool) b.Dispose();
            pool.Clear();
        }
    }

    /// <summary>A buffer initialised from host data (blocking copy at creation).</summary>
    public ClBuffer Buffer<T>(ReadOnlySpan<T> data, string name, ulong flags = ClApi.MemReadOnly) where T : unmanaged
    {
        long bytes = (long)data.Length * sizeof(T);
        if (data.Length == 0) return Buffer(4, name, flags);
        int rc;
        nint h;
        fixed (T* p = data) h = Api.CreateBuffer(context, flags | ClApi.MemCopyHostPtr, (nuint)bytes, p, &rc);
        ClErrors.Check(rc, "clCreateBuffer", $"for '{name}' ({bytes:N0} bytes) on '{Device.Name}'");
        return new ClBuffer(Api, h, bytes, name);
    }

    /// <summary>Non-blocking write from pinned host memory; the memory must stay pinned until the
    /// returned event completes.</summary>
    public ClEvent WriteAsync(nint queue, ClBuffer buffer, long offsetBytes, void* source, long bytes, ReadOnlySpan<ClEvent> waitFor = default)
    {
        var waits = stackalloc nint[Math.Max(1, waitFor.Length)];
        uint nw = 0;
        foreach (var e in waitFor) if (!e.IsNull) waits[nw++] = e.Handle;
        nint ev;
        ClErrors.Check(Api.EnqueueWriteBuffer(queue, buffer.Handle, 0, (nuint)offsetBytes, (nuint)bytes, source, nw, nw == 0 ? null : waits, &ev),
            "clEnqueueWriteBuffer", $"to '{buffer.Name}' ({bytes:N0} bytes at {offsetBytes:N0})");
        return new ClEvent(Api, ev);
    }

    public void Write<T>(ClBuffer buffer, ReadOnlySpan<T> data, long offsetElements = 0) where T : unmanaged
    {
        if (data.Length == 0) return;
        fixed (T* p = data)
            ClErrors.Check(Api.EnqueueWriteBuffer(ComputeQueue, buffer.Handle, 1, (nuint)(offsetElements * sizeof(T)), (nuint)((long)data.Length * sizeof(T)), p, 0, null, null),
                "clEnqueueWriteBuffer", $"to '{buffer.Name}'");
    }

    /// <summary>Blocking read after everything enqueued on the compute queue (and the events given).</summary>
    public void Read<T>(ClBuffer buffer, Span<T> destination, long offsetElements = 0, ReadOnlySpan<ClEvent> waitFor = default) where T : unmanaged
    {
        if (destination.Length == 0) return;
        var waits = stackalloc nint[Math.Max(1, waitFor.Length)];
        uint nw = 0;
        foreach (var e in waitFor) if (!e.IsNull) waits[nw++] = e.Handle;
        fixed (T* p = destination)
            ClErrors.Check(Api.EnqueueReadBuffer(ComputeQueue, buffer.Handle, 1, (nuint)(offsetElements * sizeof(T)), (nuint)((long)destination.Length * sizeof(T)), p, nw, nw == 0 ? null : waits, null),
                "clEnqueueReadBuffer", $"from '{buffer.Name}'");
    }

    /// <summary>Non-blocking read on the compute queue into pinned host memory (valid once the
    /// returned event completes).</summary>
    public ClEvent ReadAsync(ClBuffer buffer, long offsetBytes, void* destination, long bytes)
    {
        nint ev;
        ClErrors.Check(Api.EnqueueReadBuffer(ComputeQueue, buffer.Handle, 0, (nuint)offsetBytes, (nuint)bytes, destination, 0, null, &ev),
            "clEnqueueReadBuffer", $"from '{buffer.Name}' ({bytes:N0} bytes)");
        return new ClEvent(Api, ev);
    }

    /// <summary>Fills a buffer with a repeated value on the compute queue.</summary>
    public void Fill<T>(ClBuffer buffer, T value, long elements) where T : unmanaged
    {
        if (elements == 0) return;
        ClErrors.Check(Api.EnqueueFillBuffer(ComputeQueue, buffer.Handle, &value, (nuint)sizeof(T), 0, (nuint)(elements * sizeof(T)), 0, null, null),
            "clEnqueueFillBuffer", $"of '{buffer.Name}'");
    }

    public void Finish()
    {
        ClErrors.Check(Api.Finish(TransferQueue), "clFinish", "(transfer queue)");
        ClErrors.Check(Api.Finish(ComputeQueue), "clFinish", "(compute queue)");
    }

    /// <summary>Creates a kernel from the embedded source <paramref name="source"/> (e.g.
    /// "moments.cl"), building the program on first use with the given extra options.</summary>
    public ClKernel Kernel(string source, string name, string options = "") =>
        new(Api, Program(source, options), name);

    /// <summary>The built program for an embedded source, cached per device and options.</summary>
    public nint Program(string source, string options = "") =>
        programs.GetOrAdd((source, options), key => new Lazy<nint>(() => Build(key.Source, ClSources.Load(key.Source), key.Options))).Value;

    /// <summary>Builds arbitrary source text (not cached); a compile error throws with the
    /// OpenCL build log in the message.</summary>
    public nint Build(string name, string text, string options = "")
    {
        int rc;
        var bytes = Encoding.UTF8.GetBytes(text);
        nint program;
        fixed (byte* b = bytes)
        {
            byte* bp = b;
            nuint len = (nuint)bytes.Length;
            program = Api.CreateProgramWithSource(context, 1, &bp, &len, &rc);
        }
        ClErrors.Check(rc, "clCreateProgramWithSource", $"for '{name}'");
        var opts = Encoding.ASCII.GetBytes($"{BaseOptions} {options}\0");
        nint d = Device.Handle;
        fixed (byte* o = opts) rc = Api.BuildProgram(program, 1, &d, o, 0, 0);
        if (rc != ClErrors.Success)
        {
            string log = BuildLog(program);
            Api.ReleaseProgram(program);
            throw new OpenClException("clBuildProgram", rc, $"for '{name}' on '{Device.Name}'", log);
        }
        return program;
    }

    private string BuildLog(nint program)
    {
        nuint size;
        if (Api.GetProgramBuildInfo(program, Device.Handle, ClApi.ProgramBuildLog, 0, null, &size) != 0 || size == 0) return "";
        var bytes = new byte[(int)size];
        fixed (byte* b = bytes)
            if (Api.GetProgramBuildInfo(program, Device.Handle, ClApi.ProgramBuildLog, size, b, null) != 0) return "";
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    public void Dispose()
    {
        DrainPool();
        foreach (var p in programs.Values) if (p.IsValueCreated) Api.ReleaseProgram(p.Value);
        programs.Clear();
        if (ComputeQueue != 0) { Api.ReleaseCommandQueue(ComputeQueue); ComputeQueue = 0; }
        if (TransferQueue != 0) { Api.ReleaseCommandQueue(TransferQueue); TransferQueue = 0; }
        if (context != 0) { Api.ReleaseContext(context); context = 0; }
    }
}

/// <summary>The kernel sources embedded in this assembly (OpenCl/Sources/*.cl); each gets
/// common.cl prepended.</summary>
public static class ClSources
{
    private static readonly ConcurrentDictionary<string, string> cache = new();

    public static string Load(string name) => cache.GetOrAdd(name, n => n == "common.cl" ? Raw(n) : Raw("common.cl") + "\n" + Raw(n));

    private static string Raw(string name)
    {
        var asm = typeof(ClSources).Assembly;
        using var stream = asm.GetManifestResourceStream("NeuronHost.Kernels.OpenCl.Sources." + name)
            ?? throw new InvalidOperationException($"OpenCL source '{name}' is not embedded in {asm.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
