using KernelInfo = NeuronHost.Kernels.KernelInfo;
using KernelBackends = NeuronHost.Kernels.KernelBackends;
using NeuronHost.Benchmarks.Harness;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ILGPU;
using ILGPU.Runtime;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Kernels.Gpu;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.Gpu;

/// <summary>`gpu [--backend cuda] [--quick] [--repeat R]`: every kernel on an ILGPU device (the
/// activations start and end in host memory, as in NeuronHost, so times include the transfers),
/// beside the card's copy bandwidths measured in the same run (device-to-device, and host-to-device
/// from page-locked memory), PyTorch CUDA on the same sizes when importable, and cpu-simd. A
/// markdown table on stdout; exit code 3 with one line when there is no such device.</summary>
public static class GpuBenchmarks
{
    private const string Usage = """
        neuronhost bench gpu [--backend cuda|opencl|…] [--quick] [--repeat R]
          --backend   the ILGPU device to measure (default cuda)
          --quick     smaller sizes
          --repeat    runs per kernel, the best kept (default 3)
        """;

    public static int Run(string[] args)
    {
        if (RawArguments.Check(args, Usage, ["--quick"], ["--repeat"], ["--backend"], Console.Out, Console.Error) is { } exit) return exit;
        string choice = RawArguments.Value(args, "--backend") ?? "cuda";
        bool quick = args.Contains("--quick");
        int repeat = RawArguments.Value(args, "--repeat") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var chosen = KernelBackends.Create(choice);
        if (chosen.Kernels is not IlgpuKernels gpu)
        {
            Console.Error.WriteLine($"gpu benchmark: no ILGPU device for '{choice}': {chosen.Notice}");
            return 3;
        }
        using var _ = gpu;
        int n = quick ? 50_000 : 200_000, d = quick ? 1024 : 3072, classes = 17, top = 20, bins = 64;
        int cn = quick ? 20_000 : 100_000, cd = quick ? 1024 : 3072, g = quick ? 2048 : 4096;
        var log = Console.Error;
        log.WriteLine($"{chosen.Notice}; sizes {n:N0} × {d} ({classes} classes), correlation {cn:N0} × {cd} vs {cd}, SGEMM {g}³; best of {repeat}");

        var (deviceCopy, hostCopy) = CopyBandwidth(gpu.Accelerator);
        log.WriteLine($"card copy: device-to-device {deviceCopy:F0} GB/s (read + write), host-to-device {hostCopy:F1} GB/s (page-locked)");
        var torch = TorchCuda(n, d, classes, cn, cd, top, bins, g, repeat, out string torchStatus);
        log.WriteLine(torchStatus);

        var x = Data((long)n * d, 1);
        var labels = Enumerable.Range(0, n).Select(i => (int)((uint)(i * 2654435761u) % (classes + 1)) - 1).ToArray();
        var matrix = new DenseActivationMatrix(x, n, d, rowsPerBlock: 8192);
        var ca = new DenseActivationMatrix(Data((long)cn * cd, 2), cn, cd, rowsPerBlock: 8192);
        var cb = new DenseActivationMatrix(Data((long)cn * cd, 3), cn, cd, rowsPerBlock: 8192);
        var mask = Enumerable.Range(0, n).Select(i => i % 2 == 0).ToArray();
        var all = Enumerable.Range(0, d).ToArray();
        var ga = Data((long)g * g, 4);
        var gb = Data((long)g * g, 5);
        var gc = new float[(long)g * g];
        var cpu = new CpuKernels();

        var cases = new (KernelInfo Info, string Torch, Action<IComputeKernels> Run)[]
        {
            (KernelInfo.ClassMoments(n, d, classes), "moments", k => k.ClassMoments(matrix, labels, classes)),
            (KernelInfo.TopActivatingRows(n, d, top), "topk", k => k.TopActivatingRows(matrix, top)),
            (KernelInfo.Histograms(n, d, bins), "histograms", k => k.Histograms(matrix, bins)),
            (KernelInfo.MaskedEdit(n / 2, d), "edit", k => k.ApplyEdit(x, n, d, mask, new NeuronEdit(EditOp.Add, all, Scalar: 0f))),
            (KernelInfo.Correlation(cn, cd, cd), "correlation", k => k.Correlation(ca, cb)),
            (KernelInfo.Correlation(cn, cd, cd) with { Kernel = "max |correlation|" }, "", k => k.MaxAbsCorrelation(ca, cb)),
            (KernelInfo.Sgemm(g, g, g), "sgemm", k => k.Sgemm(false, false, g, g, g, 1f, ga, g, gb, g, 0f, gc, g)),
        };
        var table = new List<string>
        {
            $"GPU: {gpu.Backend} (SGEMM: {gpu.GemmImplementation}); card copy {deviceCopy:F0} GB/s device-to-device, {hostCopy:F1} GB/s host-to-device; PyTorch: {torchStatus}; load average {LoadAverage()}",
            "",
            "| kernel | size | ours on GPU | rate | vs host→device copy | PyTorch CUDA (with copy / on card) | ours vs torch | cpu-simd | ours vs cpu-simd |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        };
        foreach (var (info, torchKey, run) in cases)
        {
            double ours = Best(repeat, () => run(gpu));
            double onCpu = Once(() => run(cpu));   // one call: at full size cpu-simd SGEMM without OpenBLAS is slow
            bool compute = info.Bound.StartsWith("compute", StringComparison.Ordinal);
            string rate = compute ? $"{info.Flops / ours / 1e9:F0} GFLOP/s" : $"{info.Bytes / ours / 1e9:F1} GB/s";
            // The data starts in host memory: the host-to-device copy is the ceiling of a streaming kernel.
            string ofCopy = compute ? "—" : $"{100 * info.BytesRead / ours / 1e9 / hostCopy:F0}%";
            var t = torch.GetValueOrDefault(torchKey);
            string torchCell = t is null ? "—" : $"{t.Seconds:F3} s / {t.DeviceSeconds:F4} s";
            string vsTorch = t is null ? "—" : $"{t.Seconds / ours:F2}×";
            table.Add($"| {info.Kernel} | {info.Shape} | {ours:F3} s | {rate} | {ofCopy} | {torchCell} | {vsTorch} | {onCpu:F3} s | {onCpu / ours:F1}× |");
            log.WriteLine($"{info.Kernel}: {ours:F3} s (cpu-simd {onCpu:F3} s)");
        }
        Console.WriteLine(string.Join('\n', table));
        return 0;
    }

    /// <summary>Device-to-device copy (bytes read + written per second) and host-to-device copy
    /// from page-locked memory, over 256 MiB, best of 5.</summary>
    private static (double DeviceToDevice, double HostToDevice) CopyBandwidth(Accelerator accelerator)
    {
        const long count = 64L << 20;   // floats: 256 MiB
        using var a = accelerator.Allocate1D<float>(count);
        using var b = accelerator.Allocate1D<float>(count);
        using var host = accelerator.AllocatePageLocked1D<float>(count);
        var stream = accelerator.DefaultStream;
        double d2d = Best(5, () => { b.View.CopyFrom(stream, a.View); stream.Synchronize(); });
        double h2d = Best(5, () => { a.View.CopyFrom(stream, host.ArrayView); stream.Synchronize(); });
        return (2.0 * count * 4 / d2d / 1e9, count * 4.0 / h2d / 1e9);
    }

    private sealed record TorchResult(double Seconds, double DeviceSeconds);

    private static Dictionary<string, TorchResult> TorchCuda(int n, int d, int classes, int cn, int cd, int top, int bins, int g, int repeat, out string status)
    {
        var results = new Dictionary<string, TorchResult>();
        string script = Path.Combine(AppContext.BaseDirectory, "Gpu", "torch_cuda_baseline.py");
        var args = new object[] { n, d, classes, cn, cd, top, bins, g, repeat }.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)!);
        string? failure = PythonBaseline.Run(script, args, root =>
            results[root.GetProperty("kernel").GetString()!] = new(root.GetProperty("seconds").GetDouble(), root.GetProperty("device_seconds").GetDouble()));
        status = failure is null ? $"{PythonBaseline.Interpreter}, torch CUDA" : $"not compared ({failure})";
        return results;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static double Best(int repeat, Action run)
    {
        run();   // warm-up: kernel compilation, page faults
        double best = double.MaxValue;
        for (int i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static double Once(Action run)
    {
        var sw = Stopwatch.StartNew();
        run();
        return sw.Elapsed.TotalSeconds;
    }

    private static float[] Data(long count, int seed)
    {
        var x = new float[count];
        var rng = new Random(seed);
        for (long i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
