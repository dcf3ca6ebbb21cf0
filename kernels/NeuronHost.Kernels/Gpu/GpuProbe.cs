using System.Runtime.InteropServices;

namespace NeuronHost.Kernels.Gpu;

/// <summary>The native libraries ILGPU needs for its GPU backends, looked for before ILGPU is
/// asked, so a missing one becomes a one-line reason. ILGPU loads OpenCL by the loader's
/// unversioned name (libOpenCL.so, from Debian's ocl-icd-opencl-dev), not libOpenCL.so.1.
/// Tests pass names that do not exist to see the lines a machine without a GPU shows.</summary>
public sealed record GpuProbe(string CudaLibrary, string OpenClLibrary)
{
    public static GpuProbe Default { get; } = OperatingSystem.IsWindows()
        ? new GpuProbe("nvcuda.dll", "OpenCL.dll")
        : new GpuProbe("libcuda.so.1", "libOpenCL.so");

    /// <summary>Null when the CUDA driver library loads, else why not.</summary>
    public string? CudaMissing() => Loads(CudaLibrary) ? null : $"no CUDA driver ({CudaLibrary} not found)";

    /// <summary>Null when the OpenCL loader library loads, else why not.</summary>
    public string? OpenClMissing() => Loads(OpenClLibrary) ? null
        : $"no OpenCL loader for ILGPU ({OpenClLibrary} not found{(OperatingSystem.IsLinux() ? "; Debian: ocl-icd-opencl-dev" : "")})";

    private static bool Loads(string library)
    {
        if (!NativeLibrary.TryLoad(library, out var handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    }
}
