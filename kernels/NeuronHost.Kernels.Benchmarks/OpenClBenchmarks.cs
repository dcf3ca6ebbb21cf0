using System.Diagnostics;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Kernels.OpenCl;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Benchmarks;

/// <summary>`opencl [--full] [--repeat R] [--budget BYTES] [--kernel NAME] [--no-cpu]`: every kernel on the CPU SIMD backend
/// and on every OpenCL device, as GB/s (memory-bound kernels) or GFLOP/s (GEMM-bound), with the
/// byte and FLOP counts of <see cref="KernelInfo"/>. Times include the host↔device transfers
/// (the data starts and ends in host memory, as it does in NeuronHost); for OpenCL devices the
/// last two columns are the kernels alone (profiling events), to compare with a GPU's peak. The default sizes are
/// a fraction of the issue's so the run fits a loaded 2-core machine; --full uses 200k × 3072 ×
/// 17 classes and 100k × 3072 vs 3072.</summary>
public static class OpenClBenchmarks
{
    public static int Run(string[] args)
    {
        bool full = args.Contains("--full");
        only = args.Contains("--kernel") ? args[Array.IndexOf(args, "--kernel") + 1] : null;
        bool cpu = !args.Contains("--no-cpu");
        int repeat = ArgValue(args, "--repeat", 3);
        long? budget = args.Contains("--budget") ? ArgValue(args, "--budget", 0L) : null;
        int n = full ? 200_000 : 50_000, d = full ? 3072 : 1024, classes = 17;
        int cn = full ? 100_000 : 20_000, cd = full ? 3072 : 1024;

        Console.WriteLine("NeuronHost kernels: CPU SIMD vs OpenCL devices");
        foreach (var row in KernelBackends.ListDevices()) Console.WriteLine("  " + row);
        var backends = new List<IComputeKernels>();
        if (cpu) backends.Add(new CpuKernels());
        var api = ClApi.TryLoad(null, out var error);
        if (api is null) Console.WriteLine($"  ({error}: OpenCL rows skipped)");
        else
            foreach (var device in ClDiscovery.Devices(api))
                backends.Add(new OpenClKernels(api, device, new OpenClOptions { DeviceMemoryBudgetBytes = budget }));

        Console.WriteLine($"sizes: moments/top/histograms/edit {n:N0} × {d} ({classes} classes); correlation {cn:N0} × {cd} vs {cd}; best of {repeat}");
        var x = Data(n, d, 1);
        var labels = Enumerable.Range(0, n).Select(i => (int)((uint)(i * 2654435761u) % classes)).ToArray();
        var matrix = new DenseActivationMatrix(x, n, d, rowsPerBlock: 8192);
        var ca = new DenseActivationMatrix(Data(cn, cd, 2), cn, cd, rowsPerBlock: 8192);
        var cb = new DenseActivationMatrix(Data(cn, cd, 3), cn, cd, rowsPerBlock: 8192);
        var editBuffer = (float[])x.Clone();
        var mask = Enumerable.Range(0, n).Select(i => i % 2 == 0).ToArray();
        var edited = Enumerable.Range(0, d / 10).Select(i => i * 10).ToArray();
        int g = full ? 2048 : 1024;
        var ga = Data(g, g, 4);
        var gb = Data(g, g, 5);
        var gc = new float[g * g];

        Console.WriteLine($"{"kernel",-20} {"backend",-40} {"ms",9} {"rate",14} {"kernel ms",9} {"kernel rate",14}");
        foreach (var k in backends)
        {
            Report(k, KernelInfo.ClassMoments(n, d, classes), repeat, () => k.ClassMoments(matrix, labels, classes));
            Report(k, KernelInfo.TopActivatingRows(n, d, 10), repeat, () => k.TopActivatingRows(matrix, 10));
            Report(k, KernelInfo.Histograms(n, d, 64), repeat, () => k.Histograms(matrix, 64));
            Report(k, KernelInfo.MaskedEdit(n / 2, edited.Length), repeat,
                () => k.ApplyEdit(editBuffer, n, d, mask, new NeuronEdit(EditOp.Add, edited, Scalar: 0f)));
            Report(k, KernelInfo.Correlation(cn, cd, cd), repeat, () => k.Correlation(ca, cb));
            Report(k, KernelInfo.Correlation(cn, cd, cd) with { Kernel = "max |correlation|" }, repeat, () => k.MaxAbsCorrelation(ca, cb));
            Report(k, KernelInfo.Sgemm(g, g, g), repeat, () => k.Sgemm(false, false, g, g, g, 1f, ga, g, gb, g, 0f, gc, g));
        }
        return 0;
    }

    private static string? only;

    private static void Report(IComputeKernels k, KernelInfo info, int repeat, Action run)
    {
        if (only is not null && !info.Kernel.Contains(only, StringComparison.OrdinalIgnoreCase)) return;
        run();   // warm-up: JIT, OpenCL program build, page faults
        double best = double.MaxValue, device = double.MaxValue;
        for (int i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            if (k is OpenClKernels ocl) device = Math.Min(device, ocl.LastDeviceSeconds);
        }
        bool compute = info.Bound.StartsWith("compute", StringComparison.Ordinal);
        string Rate(double seconds) => compute ? $"{info.Flops / seconds / 1e9:0.0} GFLOP/s" : $"{info.Bytes / seconds / 1e9:0.00} GB/s";
        // Kernel-only rate (OpenCL profiling): what to compare with a GPU's peak.
        string kernelOnly = device is > 0 and < double.MaxValue ? $"{device * 1e3,9:0.0} {Rate(device),14}" : "";
        Console.WriteLine($"{info.Kernel,-20} {Truncate(k.Backend, 40),-40} {best * 1e3,9:0.0} {Rate(best),14} {kernelOnly}");
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n];

    private static float[] Data(int rows, int cols, int seed)
    {
        var x = new float[(long)rows * cols];
        var rng = new Random(seed);
        for (long i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * (1 + i % cols % 5);
        return x;
    }

    private static T ArgValue<T>(string[] args, string name, T fallback) where T : IParsable<T>
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && T.TryParse(args[i + 1], null, out var v) ? v : fallback;
    }
}
