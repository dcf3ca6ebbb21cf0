using NeuronHost.Kernels.Blas;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Kernels.Gpu;
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

/// <summary>Backend selection for the whole project. Choices: "auto" (a CUDA GPU, else an
/// OpenCL GPU ILGPU can use, else the CPU SIMD backend), "cpu", "cuda" / "cuda:N", "opencl" /
/// "opencl:N" (numbered as <see cref="ListDevices"/> shows them), "ilgpu-cpu" (ILGPU's CPU
/// accelerator: the GPU kernels simulated on the CPU, for testing). "gpu" (the first CUDA or
/// OpenCL GPU) is still accepted from the OpenCL-C era. Never throws for a missing driver or
/// device: it falls back to cpu-simd and says why in the notice.</summary>
public static class KernelBackends
{
    /// <summary>Read when the choice is null or empty.</summary>
    public const string EnvironmentVariable = "NEURONHOST_BACKEND";

    public const string Choices = "auto, cpu, cuda, cuda:N, opencl, opencl:N, ilgpu-cpu";

    /// <summary>Whether <paramref name="choice"/> is one of <see cref="Choices"/> (or a name still
    /// accepted from before: cpu-simd, gpu, opencl:gpu), ignoring case.</summary>
    public static bool IsKnown(string? choice)
    {
        var c = (choice ?? "").Trim().ToLowerInvariant();
        if (c is "auto" or "cpu" or "cpu-simd" or "gpu" or "cuda" or "opencl" or "opencl:gpu" or "ilgpu-cpu") return true;
        foreach (var kind in new[] { "cuda:", "opencl:" })
            if (c.StartsWith(kind, StringComparison.Ordinal) && int.TryParse(c.AsSpan(kind.Length), out int n) && n >= 0) return true;
        return false;
    }

    public static KernelBackendChoice Create(string? choice = null, IlgpuOptions? options = null, GpuProbe? probe = null)
    {
        choice = string.IsNullOrWhiteSpace(choice) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : choice;
        choice = string.IsNullOrWhiteSpace(choice) ? "auto" : choice.Trim().ToLowerInvariant();
        switch (choice)
        {
            case "cpu" or "cpu-simd":
                return Cpu($"using {CpuDescription()}");
            case "ilgpu-cpu":
                return new(IlgpuKernels.OnCpuAccelerator(options), "using ilgpu-cpu (ILGPU's CPU accelerator: the GPU kernels simulated on the CPU, slower than cpu-simd)");
            case "auto" or "gpu":
                return Gpu(options, probe, d => d.Cuda.Concat(d.OpenCl).FirstOrDefault(g => g.IsGpu && g.Unusable is null),
                    d => $"no CUDA or OpenCL GPU ({d.CudaMissing ?? "no usable CUDA device"}; {OpenClWhyNot(d, gpuOnly: true)})");
            case "cuda":
                return Gpu(options, probe, d => d.Cuda.FirstOrDefault(), d => d.CudaMissing ?? "no CUDA device");
            case "opencl" or "opencl:gpu":
                return Gpu(options, probe, d => d.OpenCl.OrderBy(g => g.IsGpu ? 0 : 1).FirstOrDefault(g => g.Unusable is null && (g.IsGpu || choice == "opencl")),
                    d => OpenClWhyNot(d, gpuOnly: choice != "opencl"));
        }
        foreach (var kind in new[] { "cuda", "opencl" })
            if (choice.StartsWith(kind + ":", StringComparison.Ordinal) && int.TryParse(choice.AsSpan(kind.Length + 1), out int index) && index >= 0)
                return Gpu(options, probe, d => (kind == "cuda" ? d.Cuda : d.OpenCl).ElementAtOrDefault(index), d => Missing(d, kind, index));
        return Cpu($"unknown backend '{choice}' (choose {Choices}); using cpu-simd");
    }

    /// <summary>Every backend this machine can run, as printable rows: cpu-simd, each CUDA and
    /// OpenCL device ILGPU finds (or a row saying why there is none), and ILGPU's CPU accelerator.</summary>
    public static IReadOnlyList<BackendDevice> ListDevices(GpuProbe? probe = null)
    {
        var rows = new List<BackendDevice> { new("cpu", "CPU SIMD", CpuDescription()) };
        using var devices = new IlgpuDevices(probe);
        if (devices.Cuda.Count == 0) rows.Add(new("cuda", "none", devices.CudaMissing ?? "no CUDA device"));
        if (devices.OpenCl.Count == 0) rows.Add(new("opencl", "none", devices.OpenClMissing ?? "no OpenCL device"));
        foreach (var d in devices.Cuda.Concat(devices.OpenCl)) rows.Add(new(d.Id, d.Kind, d.Description));
        rows.Add(new("ilgpu-cpu", "ILGPU CPU", "ILGPU's CPU accelerator (the GPU kernels simulated on the CPU; for tests, slower than cpu-simd)"));
        return rows;
    }

    private static string CpuDescription() => $"cpu-simd ({Environment.ProcessorCount} threads, SGEMM: {Gemm.Implementation})";

    private static KernelBackendChoice Cpu(string notice) => new(new CpuKernels(), notice);

    private static string OpenClWhyNot(IlgpuDevices d, bool gpuOnly)
    {
        if (d.OpenClMissing is not null) return d.OpenClMissing;
        var gpu = d.OpenCl.FirstOrDefault(g => g.IsGpu);
        if (gpu?.Unusable is not null) return $"OpenCL GPU {gpu.Id} ({gpu.Name}) cannot run ILGPU kernels: {gpu.Unusable}";
        var first = d.OpenCl[0];
        string why = first.Unusable is { } reason ? $"ILGPU cannot use it: {reason}" : "slower than cpu-simd";
        return $"{(gpuOnly ? "no OpenCL GPU" : "no usable OpenCL device")} ({first.Id}, {first.Name}, is an {first.Kind} device; {why})";
    }

    private static string Missing(IlgpuDevices d, string kind, int index)
    {
        var list = kind == "cuda" ? d.Cuda : d.OpenCl;
        var why = kind == "cuda" ? d.CudaMissing : d.OpenClMissing;
        if (list.Count == 0) return why ?? $"no {kind} device";
        return $"no {kind} device {index} (devices are {kind}:0..{list.Count - 1})";
    }

    /// <summary>Opens the device <paramref name="pick"/> selects, or falls back to cpu-simd with
    /// <paramref name="whyNot"/>; a device that fails to open or compile also falls back.</summary>
    private static KernelBackendChoice Gpu(IlgpuOptions? options, GpuProbe? probe, Func<IlgpuDevices, GpuDevice?> pick, Func<IlgpuDevices, string> whyNot)
    {
        var devices = new IlgpuDevices(probe);
        try
        {
            var device = pick(devices);
            if (device is null) return Cpu($"{whyNot(devices)}; using cpu-simd");
            if (device.Unusable is not null) return Cpu($"{device.Id} ({device.Name}) cannot run ILGPU kernels: {device.Unusable}; using cpu-simd");
            try
            {
                var kernels = devices.Open(device.Id, options);
                return new(kernels, $"using {device.Id} ({device.Kind}: {device.Name}, {device.Capability}; SGEMM: {kernels.GemmImplementation})");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Cpu($"{device.Id} ({device.Name}) failed ({IlgpuDevices.FirstLine(e.Message)}); using cpu-simd");
            }
        }
        finally
        {
            devices.Dispose();
        }
    }
}
