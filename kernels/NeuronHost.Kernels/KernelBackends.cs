using NeuronHost.Kernels.Blas;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Kernels.OpenCl;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels;

/// <summary>The chosen backend and one line telling the user what was chosen and why.</summary>
public sealed record KernelBackendChoice(IComputeKernels Kernels, string Notice);

/// <summary>One row of <c>neuronhost devices</c>: the id to pass as the backend choice and a
/// description.</summary>
public sealed record BackendDevice(string Id, string Kind, string Description)
{
    public override string ToString() => $"{Id,-10} {Kind,-11} {Description}";
}

/// <summary>Backend selection for the whole project. Choices: "auto" (an OpenCL GPU when there
/// is one, else the CPU SIMD backend — pocl's CPU device is slower than it here), "cpu",
/// "opencl" (the first OpenCL device), "opencl:N" (device N as <see cref="ListDevices"/>
/// numbers them). Never throws for a missing runtime or device: it falls back to the CPU
/// backend and says so in the notice.</summary>
public static class KernelBackends
{
    /// <summary>Read when the choice is null or empty.</summary>
    public const string EnvironmentVariable = "NEURONHOST_BACKEND";

    public const string Choices = "auto, cpu, opencl, opencl:N";

    public static KernelBackendChoice Create(string? choice = null, OpenClOptions? options = null, string? openClLibrary = null)
    {
        choice = string.IsNullOrWhiteSpace(choice) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : choice;
        choice = string.IsNullOrWhiteSpace(choice) ? "auto" : choice.Trim().ToLowerInvariant();
        switch (choice)
        {
            case "cpu" or "cpu-simd":
                return Cpu($"using {CpuDescription()}");
            case "auto":
                return Auto(options, openClLibrary);
            case "opencl" or "gpu" or "opencl:gpu":
                return OpenCl(choice == "opencl" ? 0 : -1, options, openClLibrary);
        }
        if (choice.StartsWith("opencl:", StringComparison.Ordinal) && int.TryParse(choice.AsSpan(7), out int index) && index >= 0)
            return OpenCl(index, options, openClLibrary);
        return Cpu($"unknown backend '{choice}' (choose {Choices}); using cpu-simd");
    }

    /// <summary>Every backend this machine can run, as printable rows (the CPU backend first,
    /// then each OpenCL device, or a row saying why there is none).</summary>
    public static IReadOnlyList<BackendDevice> ListDevices(string? openClLibrary = null)
    {
        var rows = new List<BackendDevice> { new("cpu", "CPU SIMD", CpuDescription()) };
        var api = ClApi.TryLoad(openClLibrary, out var error);
        if (api is null) { rows.Add(new("opencl", "none", error + " — install an OpenCL driver (Debian: ocl-icd-libopencl1 + pocl-opencl-icd or a GPU vendor's ICD)")); return rows; }
        IReadOnlyList<ClDevice> devices;
        try { devices = ClDiscovery.Devices(api); }
        catch (OpenClException e) { rows.Add(new("opencl", "error", e.Message)); return rows; }
        if (devices.Count == 0) rows.Add(new("opencl", "none", $"OpenCL runtime {api.Library} has no platform or device"));
        foreach (var d in devices)
            rows.Add(new($"opencl:{d.Index}", $"OpenCL {d.TypeName}",
                $"{d.Name} [{d.PlatformName}; {d.Version}; {d.ComputeUnits} CUs; {d.GlobalMemBytes / (1024.0 * 1024 * 1024):0.0} GiB; fp64 {(d.Fp64 ? "yes" : "no")}]"));
        return rows;
    }

    private static string CpuDescription() => $"cpu-simd ({Environment.ProcessorCount} threads, SGEMM: {Gemm.Implementation})";

    private static KernelBackendChoice Cpu(string notice) => new(new CpuKernels(), notice);

    private static KernelBackendChoice Auto(OpenClOptions? options, string? library)
    {
        var api = ClApi.TryLoad(library, out var error);
        if (api is null) return Cpu($"{error}; using cpu-simd");
        IReadOnlyList<ClDevice> devices;
        try { devices = ClDiscovery.Devices(api); }
        catch (OpenClException e) { return Cpu($"OpenCL discovery failed ({e.Message}); using cpu-simd"); }
        var gpu = devices.FirstOrDefault(d => d.IsGpu);
        if (gpu is null)
        {
            var others = devices.Count == 0 ? "no OpenCL device" : $"no OpenCL GPU (opencl:0 is {devices[0].Name}, slower than cpu-simd)";
            return Cpu($"{others}; using cpu-simd");
        }
        return TryOpen(api, gpu, options);
    }

    /// <summary>index -1: the first GPU.</summary>
    private static KernelBackendChoice OpenCl(int index, OpenClOptions? options, string? library)
    {
        var api = ClApi.TryLoad(library, out var error);
        if (api is null) return Cpu($"{error}; using cpu-simd");
        IReadOnlyList<ClDevice> devices;
        try { devices = ClDiscovery.Devices(api); }
        catch (OpenClException e) { return Cpu($"OpenCL discovery failed ({e.Message}); using cpu-simd"); }
        if (devices.Count == 0) return Cpu($"OpenCL runtime {api.Library} has no platform or device; using cpu-simd");
        var device = index < 0 ? devices.FirstOrDefault(d => d.IsGpu) : index < devices.Count ? devices[index] : null;
        if (device is null)
            return Cpu(index < 0 ? "no OpenCL GPU; using cpu-simd" : $"no OpenCL device {index} (devices are opencl:0..{devices.Count - 1}); using cpu-simd");
        return TryOpen(api, device, options);
    }

    /// <summary>Opens the device and builds one program as a smoke test, so a broken driver
    /// falls back here instead of failing in the middle of a run.</summary>
    private static KernelBackendChoice TryOpen(ClApi api, ClDevice device, OpenClOptions? options)
    {
        try
        {
            var kernels = new OpenClKernels(api, device, options);
            kernels.Warm();
            return new(kernels, $"using opencl:{device.Index} ({device.TypeName}: {device.Name}, {device.PlatformName})");
        }
        catch (OpenClException e)
        {
            return Cpu($"OpenCL device {device.Name} failed ({e.Message.Split('\n')[0]}); using cpu-simd");
        }
    }
}
