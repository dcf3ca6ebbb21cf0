using System.Text;

namespace NeuronHost.Kernels.OpenCl;

/// <summary>A device buffer; released on Dispose.</summary>
public sealed unsafe class ClBuffer(ClApi api, nint handle, long bytes, string name) : IDisposable
{
    public nint Handle { get; private set; } = handle;
    public long Bytes { get; } = bytes;
    public string Name { get; } = name;

    public void Dispose()
    {
        if (Handle != 0) { api.ReleaseMemObject(Handle); Handle = 0; }
    }
}

/// <summary>A command's completion event; released on Dispose (a zero handle is "nothing to wait on").</summary>
public readonly unsafe struct ClEvent(ClApi? api, nint handle)
{
    public nint Handle { get; } = handle;
    public bool IsNull => Handle == 0;

    public void Wait(string what)
    {
        if (Handle == 0) return;
        nint h = Handle;
        ClErrors.Check(api!.WaitForEvents(1, &h), "clWaitForEvents", what);
    }

    public void Release()
    {
        if (Handle != 0) api!.ReleaseEvent(Handle);
    }

    /// <summary>Another reference to the same event (release each once).</summary>
    public ClEvent Retain()
    {
        if (Handle != 0) api!.RetainEvent(Handle);
        return this;
    }

    /// <summary>Execution time of the (completed) command on a profiling queue; NaN when the
    /// driver has no profiling information.</summary>
    public double Seconds()
    {
        if (Handle == 0) return 0;
        ulong start, end;
        if (api!.GetEventProfilingInfo(Handle, ClApi.ProfilingCommandStart, 8, &start, null) != 0 ||
            api.GetEventProfilingInfo(Handle, ClApi.ProfilingCommandEnd, 8, &end, null) != 0) return double.NaN;
        return (end - start) * 1e-9;
    }
}

/// <summary>A kernel object with typed argument setters and a launch that names the kernel in
/// every error.</summary>
public sealed unsafe class ClKernel : IDisposable
{
    private readonly ClApi api;
    public nint Handle { get; private set; }
    public string Name { get; }

    internal ClKernel(ClApi api, nint program, string name)
    {
        this.api = api;
        Name = name;
        int rc;
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* b = bytes) Handle = api.CreateKernel(program, b, &rc);
        ClErrors.Check(rc, "clCreateKernel", $"for kernel '{name}'");
    }

    public ClKernel Arg(uint index, ClBuffer buffer)
    {
        nint h = buffer.Handle;
        ClErrors.Check(api.SetKernelArg(Handle, index, (nuint)sizeof(nint), &h), "clSetKernelArg", $"argument {index} ({buffer.Name}) of kernel '{Name}'");
        return this;
    }

    public ClKernel Arg<T>(uint index, T value) where T : unmanaged
    {
        ClErrors.Check(api.SetKernelArg(Handle, index, (nuint)sizeof(T), &value), "clSetKernelArg", $"argument {index} of kernel '{Name}'");
        return this;
    }

    /// <summary>A __local argument of the given size.</summary>
    public ClKernel Local(uint index, long bytes)
    {
        ClErrors.Check(api.SetKernelArg(Handle, index, (nuint)bytes, null), "clSetKernelArg", $"local argument {index} of kernel '{Name}'");
        return this;
    }

    /// <summary>Enqueues over the global range (each dimension rounded up to the local size) and
    /// returns the completion event.</summary>
    public ClEvent Launch(nint queue, ReadOnlySpan<long> global, ReadOnlySpan<long> local, ReadOnlySpan<ClEvent> waitFor = default)
    {
        int dims = global.Length;
        var g = stackalloc nuint[dims];
        var l = stackalloc nuint[dims];
        for (int i = 0; i < dims; i++)
        {
            long ls = Math.Max(1, local[i]);
            g[i] = (nuint)((global[i] + ls - 1) / ls * ls);
            l[i] = (nuint)ls;
        }
        var waits = stackalloc nint[Math.Max(1, waitFor.Length)];
        uint nw = 0;
        foreach (var e in waitFor) if (!e.IsNull) waits[nw++] = e.Handle;
        nint ev;
        ClErrors.Check(api.EnqueueNDRangeKernel(queue, Handle, (uint)dims, null, g, l, nw, nw == 0 ? null : waits, &ev),
            "clEnqueueNDRangeKernel", $"in kernel '{Name}'");
        return new ClEvent(api, ev);
    }

    public void Dispose()
    {
        if (Handle != 0) { api.ReleaseKernel(Handle); Handle = 0; }
    }
}
