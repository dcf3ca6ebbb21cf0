using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace NeuronHost.Kernels.Gpu;

/// <summary>One GPU as ILGPU sees it: the id that selects it, what it is, and why it cannot run
/// our kernels (null when it can).</summary>
public sealed record GpuDevice(string Id, string Kind, string Name, long MemoryBytes, string Capability, bool IsGpu, string? Unusable)
{
    public string Description => $"{Name} [{Capability}; {MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB]" + (Unusable is null ? "" : $" — not usable: {Unusable}");
}

/// <summary>The CUDA and OpenCL devices on this machine, found through ILGPU, with the reason a
/// whole kind is missing. Holds the ILGPU context the devices belong to: dispose it, or hand it
/// to the backend opened on one of them (<see cref="Open"/>).</summary>
public sealed class IlgpuDevices : IDisposable
{
    private Context? context;

    public IReadOnlyList<GpuDevice> Cuda { get; }
    public IReadOnlyList<GpuDevice> OpenCl { get; }
    /// <summary>Why there are no CUDA devices (null when there are).</summary>
    public string? CudaMissing { get; }
    /// <summary>Why there are no OpenCL devices (null when there are).</summary>
    public string? OpenClMissing { get; }

    private readonly Dictionary<string, Device> byId = [];

    public IlgpuDevices(GpuProbe? probe = null)
    {
        probe ??= GpuProbe.Default;
        CudaMissing = probe.CudaMissing();
        OpenClMissing = probe.OpenClMissing();
        bool cuda = CudaMissing is null, openCl = OpenClMissing is null;
        var cudaDevices = new List<GpuDevice>();
        var clDevices = new List<GpuDevice>();
        if (cuda || openCl)
        {
            try
            {
                context = Context.Create(builder =>
                {
                    if (cuda) builder.Cuda();
                    if (openCl) builder.OpenCL(_ => true);   // every device, to say why one cannot be used
                    builder.EnableAlgorithms();
                });
                foreach (var d in context.GetCudaDevices())
                {
                    var id = $"cuda:{cudaDevices.Count}";
                    var arch = d.Architecture is { } a ? $"sm_{a.Major}{a.Minor}" : "unknown architecture";
                    cudaDevices.Add(new(id, "CUDA", d.Name, d.MemorySize, $"{arch}, {d.NumMultiprocessors} SMs", true, null));
                    byId[id] = d;
                }
                foreach (var d in context.GetCLDevices())
                {
                    var id = $"opencl:{clDevices.Count}";
                    bool gpu = d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU;
                    clDevices.Add(new(id, gpu ? "OpenCL GPU" : $"OpenCL {d.DeviceType.ToString().Replace("CL_DEVICE_TYPE_", "")}",
                        d.Name, d.MemorySize, $"OpenCL {d.DeviceVersion}, {d.NumMultiprocessors} CUs", gpu, WhyUnusable(d)));
                    byId[id] = d;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var reason = $"ILGPU could not enumerate devices ({FirstLine(e.Message)})";
                if (cuda) CudaMissing = reason;
                if (openCl) OpenClMissing = reason;
            }
        }
        if (cuda && CudaMissing is null && cudaDevices.Count == 0) CudaMissing = $"the CUDA driver ({probe.CudaLibrary}) reports no device";
        if (openCl && OpenClMissing is null && clDevices.Count == 0) OpenClMissing = $"the OpenCL loader ({probe.OpenClLibrary}) finds no platform or device";
        Cuda = cudaDevices;
        OpenCl = clDevices;
    }

    /// <summary>ILGPU's OpenCL backend needs OpenCL 2.0 features (the generic address space)
    /// that some drivers lack — pocl's CPU device among them. Opening the device is the test.</summary>
    private string? WhyUnusable(Device device)
    {
        try
        {
            using var accelerator = device.CreateAccelerator(context!);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return FirstLine(e.Message);
        }
    }

    internal static string FirstLine(string message) => message.Split('\n')[0].Trim().TrimEnd('.');

    /// <summary>The backend on device <paramref name="id"/>; it takes over the ILGPU context (this
    /// object must not be used afterwards). Compiles one kernel as a smoke test.</summary>
    public IlgpuKernels Open(string id, IlgpuOptions? options)
    {
        var device = byId[id];
        var owned = context ?? throw new ObjectDisposedException(nameof(IlgpuDevices));
        var kernels = new IlgpuKernels(device.CreateAccelerator(owned), id, options, owned);
        context = null;
        try
        {
            kernels.Warm();
            return kernels;
        }
        catch
        {
            kernels.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        context?.Dispose();
        context = null;
    }
}
