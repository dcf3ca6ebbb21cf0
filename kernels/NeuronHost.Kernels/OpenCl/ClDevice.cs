using System.Text;

namespace NeuronHost.Kernels.OpenCl;

/// <summary>One OpenCL device as discovered: <see cref="Index"/> counts devices over all
/// platforms in platform order (what "opencl:N" selects).</summary>
public sealed record ClDevice(
    int Index,
    nint Platform,
    nint Handle,
    string PlatformName,
    string Name,
    string Vendor,
    string Version,
    string DriverVersion,
    ulong Type,
    int ComputeUnits,
    int ClockMHz,
    ulong GlobalMemBytes,
    ulong MaxAllocBytes,
    ulong LocalMemBytes,
    int MaxWorkGroupSize,
    bool Fp64)
{
    public bool IsGpu => (Type & ClApi.DeviceTypeGpu) != 0;
    public bool IsCpu => (Type & ClApi.DeviceTypeCpu) != 0;
    public string TypeName => IsGpu ? "GPU" : IsCpu ? "CPU" : (Type & ClApi.DeviceTypeAccelerator) != 0 ? "accelerator" : "other";

    /// <summary>One printable line for <c>neuronhost devices</c>.</summary>
    public string Describe() =>
        $"opencl:{Index}  {TypeName,-3}  {Name}  [{PlatformName}; {Version}; {ComputeUnits} CUs; " +
        $"{GlobalMemBytes / (1024.0 * 1024 * 1024):0.0} GiB global, {MaxAllocBytes / (1024.0 * 1024):0} MiB max alloc, " +
        $"{LocalMemBytes / 1024} KiB local; fp64 {(Fp64 ? "yes" : "no")}]";
}

/// <summary>Platform and device discovery.</summary>
public static unsafe class ClDiscovery
{
    /// <summary>Every device of every platform. An ICD loader without platforms gives an empty
    /// list (not an error).</summary>
    public static IReadOnlyList<ClDevice> Devices(ClApi api)
    {
        uint count;
        int rc = api.GetPlatformIDs(0, null, &count);
        if (rc == ClErrors.PlatformNotFoundKhr || count == 0) return [];
        ClErrors.Check(rc, "clGetPlatformIDs");
        var platforms = new nint[count];
        fixed (nint* p = platforms) ClErrors.Check(api.GetPlatformIDs(count, p, null), "clGetPlatformIDs");

        var result = new List<ClDevice>();
        foreach (var platform in platforms)
        {
            string platformName = PlatformString(api, platform, ClApi.PlatformName);
            uint n;
            rc = api.GetDeviceIDs(platform, ClApi.DeviceTypeAll, 0, null, &n);
            if (rc == ClErrors.DeviceNotFound || n == 0) continue;
            ClErrors.Check(rc, "clGetDeviceIDs", $"on platform '{platformName}'");
            var devices = new nint[n];
            fixed (nint* d = devices) ClErrors.Check(api.GetDeviceIDs(platform, ClApi.DeviceTypeAll, n, d, null), "clGetDeviceIDs");
            foreach (var d in devices)
            {
                string ext = DeviceString(api, d, ClApi.DeviceExtensions);
                result.Add(new ClDevice(
                    result.Count, platform, d, platformName,
                    DeviceString(api, d, ClApi.DeviceName).Trim(),
                    DeviceString(api, d, ClApi.DeviceVendor).Trim(),
                    DeviceString(api, d, ClApi.DeviceVersion).Trim(),
                    DeviceString(api, d, ClApi.DriverVersion).Trim(),
                    DeviceValue<ulong>(api, d, ClApi.DeviceType),
                    (int)DeviceValue<uint>(api, d, ClApi.DeviceMaxComputeUnits),
                    (int)DeviceValue<uint>(api, d, ClApi.DeviceMaxClockFrequency),
                    DeviceValue<ulong>(api, d, ClApi.DeviceGlobalMemSize),
                    DeviceValue<ulong>(api, d, ClApi.DeviceMaxMemAllocSize),
                    DeviceValue<ulong>(api, d, ClApi.DeviceLocalMemSize),
                    (int)DeviceValue<nuint>(api, d, ClApi.DeviceMaxWorkGroupSize),
                    ext.Split(' ').Contains("cl_khr_fp64")));
            }
        }
        return result;
    }

    private static string PlatformString(ClApi api, nint platform, uint param)
    {
        nuint size;
        ClErrors.Check(api.GetPlatformInfo(platform, param, 0, null, &size), "clGetPlatformInfo");
        var bytes = new byte[(int)size];
        fixed (byte* b = bytes) ClErrors.Check(api.GetPlatformInfo(platform, param, size, b, null), "clGetPlatformInfo");
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    private static string DeviceString(ClApi api, nint device, uint param)
    {
        nuint size;
        ClErrors.Check(api.GetDeviceInfo(device, param, 0, null, &size), "clGetDeviceInfo");
        var bytes = new byte[(int)size];
        fixed (byte* b = bytes) ClErrors.Check(api.GetDeviceInfo(device, param, size, b, null), "clGetDeviceInfo");
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    private static T DeviceValue<T>(ClApi api, nint device, uint param) where T : unmanaged
    {
        T value = default;
        ClErrors.Check(api.GetDeviceInfo(device, param, (nuint)sizeof(T), &value, null), "clGetDeviceInfo");
        return value;
    }
}
