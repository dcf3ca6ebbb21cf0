using System.Runtime.InteropServices;

namespace NeuronHost.Kernels.OpenCl;

/// <summary>The OpenCL 1.2 entry points NeuronHost uses (28), resolved at run time from the ICD loader
/// (<c>libOpenCL.so.1</c>) so that a machine without OpenCL still loads this assembly. The
/// library name can be overridden (<c>NEURONHOST_OPENCL_LIBRARY</c>, or
/// <see cref="Load(string)"/>) — tests use that to force the "no runtime" path.</summary>
public sealed unsafe class ClApi
{
    public const string DefaultLibrary = "libOpenCL.so.1";
    public const string LibraryVariable = "NEURONHOST_OPENCL_LIBRARY";

    // Info and flag constants (Khronos cl.h).
    public const uint PlatformName = 0x0902, PlatformVendor = 0x0903, PlatformVersion = 0x0901;
    public const uint DeviceType = 0x1000, DeviceMaxComputeUnits = 0x1002, DeviceMaxWorkGroupSize = 0x1004,
        DeviceMaxClockFrequency = 0x100C, DeviceMaxMemAllocSize = 0x1010, DeviceGlobalMemSize = 0x101F,
        DeviceLocalMemSize = 0x1023, DeviceName = 0x102B, DeviceVendor = 0x102C, DriverVersion = 0x102D,
        DeviceVersion = 0x102F, DeviceExtensions = 0x1030;
    public const ulong DeviceTypeCpu = 1 << 1, DeviceTypeGpu = 1 << 2, DeviceTypeAccelerator = 1 << 3, DeviceTypeAll = 0xFFFFFFFF;
    public const ulong MemReadWrite = 1, MemWriteOnly = 2, MemReadOnly = 4, MemCopyHostPtr = 32;
    public const uint ProgramBuildLog = 0x1183;
    public const uint KernelWorkGroupSize = 0x11B0;
    public const uint ProfilingCommandStart = 0x1282, ProfilingCommandEnd = 0x1283;
    public const ulong QueueProfilingEnable = 1 << 1;
    public const nint ContextPlatform = 0x1084;

    public string Library { get; }

    public readonly delegate* unmanaged<uint, nint*, uint*, int> GetPlatformIDs;
    public readonly delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> GetPlatformInfo;
    public readonly delegate* unmanaged<nint, ulong, uint, nint*, uint*, int> GetDeviceIDs;
    public readonly delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> GetDeviceInfo;
    public readonly delegate* unmanaged<nint*, uint, nint*, nint, nint, int*, nint> CreateContext;
    public readonly delegate* unmanaged<nint, int> ReleaseContext;
    public readonly delegate* unmanaged<nint, nint, ulong, int*, nint> CreateCommandQueue;
    public readonly delegate* unmanaged<nint, int> ReleaseCommandQueue;
    public readonly delegate* unmanaged<nint, ulong, nuint, void*, int*, nint> CreateBuffer;
    public readonly delegate* unmanaged<nint, int> ReleaseMemObject;
    public readonly delegate* unmanaged<nint, uint, byte**, nuint*, int*, nint> CreateProgramWithSource;
    public readonly delegate* unmanaged<nint, uint, nint*, byte*, nint, nint, int> BuildProgram;
    public readonly delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int> GetProgramBuildInfo;
    public readonly delegate* unmanaged<nint, int> ReleaseProgram;
    public readonly delegate* unmanaged<nint, byte*, int*, nint> CreateKernel;
    public readonly delegate* unmanaged<nint, int> ReleaseKernel;
    public readonly delegate* unmanaged<nint, uint, nuint, void*, int> SetKernelArg;
    public readonly delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int> GetKernelWorkGroupInfo;
    public readonly delegate* unmanaged<nint, nint, uint, nuint*, nuint*, nuint*, uint, nint*, nint*, int> EnqueueNDRangeKernel;
    public readonly delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int> EnqueueWriteBuffer;
    public readonly delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int> EnqueueReadBuffer;
    public readonly delegate* unmanaged<nint, nint, void*, nuint, nuint, nuint, uint, nint*, nint*, int> EnqueueFillBuffer;
    public readonly delegate* unmanaged<nint, int> Flush;
    public readonly delegate* unmanaged<nint, int> Finish;
    public readonly delegate* unmanaged<uint, nint*, int> WaitForEvents;
    public readonly delegate* unmanaged<nint, int> ReleaseEvent;
    public readonly delegate* unmanaged<nint, int> RetainEvent;
    public readonly delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> GetEventProfilingInfo;

    private ClApi(string library, nint handle)
    {
        Library = library;
        nint F(string name) => NativeLibrary.TryGetExport(handle, name, out var p) ? p
            : throw new DllNotFoundException($"{library} has no entry point {name} (not an OpenCL 1.2 ICD loader?)");
        GetPlatformIDs = (delegate* unmanaged<uint, nint*, uint*, int>)F("clGetPlatformIDs");
        GetPlatformInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)F("clGetPlatformInfo");
        GetDeviceIDs = (delegate* unmanaged<nint, ulong, uint, nint*, uint*, int>)F("clGetDeviceIDs");
        GetDeviceInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)F("clGetDeviceInfo");
        CreateContext = (delegate* unmanaged<nint*, uint, nint*, nint, nint, int*, nint>)F("clCreateContext");
        ReleaseContext = (delegate* unmanaged<nint, int>)F("clReleaseContext");
        CreateCommandQueue = (delegate* unmanaged<nint, nint, ulong, int*, nint>)F("clCreateCommandQueue");
        ReleaseCommandQueue = (delegate* unmanaged<nint, int>)F("clReleaseCommandQueue");
        CreateBuffer = (delegate* unmanaged<nint, ulong, nuint, void*, int*, nint>)F("clCreateBuffer");
        ReleaseMemObject = (delegate* unmanaged<nint, int>)F("clReleaseMemObject");
        CreateProgramWithSource = (delegate* unmanaged<nint, uint, byte**, nuint*, int*, nint>)F("clCreateProgramWithSource");
        BuildProgram = (delegate* unmanaged<nint, uint, nint*, byte*, nint, nint, int>)F("clBuildProgram");
        GetProgramBuildInfo = (delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int>)F("clGetProgramBuildInfo");
        ReleaseProgram = (delegate* unmanaged<nint, int>)F("clReleaseProgram");
        CreateKernel = (delegate* unmanaged<nint, byte*, int*, nint>)F("clCreateKernel");
        ReleaseKernel = (delegate* unmanaged<nint, int>)F("clReleaseKernel");
        SetKernelArg = (delegate* unmanaged<nint, uint, nuint, void*, int>)F("clSetKernelArg");
        GetKernelWorkGroupInfo = (delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int>)F("clGetKernelWorkGroupInfo");
        EnqueueNDRangeKernel = (delegate* unmanaged<nint, nint, uint, nuint*, nuint*, nuint*, uint, nint*, nint*, int>)F("clEnqueueNDRangeKernel");
        EnqueueWriteBuffer = (delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int>)F("clEnqueueWriteBuffer");
        EnqueueReadBuffer = (delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int>)F("clEnqueueReadBuffer");
        EnqueueFillBuffer = (delegate* unmanaged<nint, nint, void*, nuint, nuint, nuint, uint, nint*, nint*, int>)F("clEnqueueFillBuffer");
        Flush = (delegate* unmanaged<nint, int>)F("clFlush");
        Finish = (delegate* unmanaged<nint, int>)F("clFinish");
        WaitForEvents = (delegate* unmanaged<uint, nint*, int>)F("clWaitForEvents");
        ReleaseEvent = (delegate* unmanaged<nint, int>)F("clReleaseEvent");
        RetainEvent = (delegate* unmanaged<nint, int>)F("clRetainEvent");
        GetEventProfilingInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)F("clGetEventProfilingInfo");
    }

    private static readonly object gate = new();
    private static readonly Dictionary<string, ClApi> loaded = new();

    /// <summary>The library named by <c>NEURONHOST_OPENCL_LIBRARY</c>, else libOpenCL.so.1.</summary>
    public static string ConfiguredLibrary =>
        Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } name ? name : DefaultLibrary;

    /// <summary>Loads the ICD loader, or returns null with the reason (missing library, missing
    /// entry point).</summary>
    public static ClApi? TryLoad(string? library, out string? error)
    {
        library ??= ConfiguredLibrary;
        lock (gate)
        {
            if (loaded.TryGetValue(library, out var api)) { error = null; return api; }
            if (!NativeLibrary.TryLoad(library, typeof(ClApi).Assembly, null, out var handle))
            {
                error = $"OpenCL runtime not found ({library})";
                return null;
            }
            try { api = new ClApi(library, handle); }
            catch (DllNotFoundException e) { error = e.Message; return null; }
            loaded[library] = api;
            error = null;
            return api;
        }
    }

    public static ClApi Load(string? library = null) =>
        TryLoad(library, out var error) ?? throw new DllNotFoundException(error);
}
