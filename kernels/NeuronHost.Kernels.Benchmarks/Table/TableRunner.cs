using System.Globalization;
using System.Text;
using NeuronHost.Kernels.Blas;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Benchmarks.Table;

/// <summary>`table [--quick] [--threads N] [--out FILE]`: every kernel at the issue's sizes, side
/// by side with a naive C# loop, the PyTorch CPU equivalent and the machine limit measured in
/// the same run, as a markdown table.</summary>
internal static class TableRunner
{
    private sealed record Row(string Kernel, string Size, double Ours, string Rate, string OfLimit, double? Naive, string NaiveNote, double? Torch, string Target);

    public static int Run(string[] args)
    {
        bool quick = args.Contains("--quick");
        int threads = Option(args, "--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        string? outFile = Option(args, "--out");
        // --only moments,top,histograms,edit,correlation,sgemm: a subset (for working on one kernel).
        var only = Option(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        bool Want(string group) => only is null || only.Contains(group);
        var s = quick ? BenchSizes.Quick : BenchSizes.Full;
        var kernels = new CpuKernels(threads);
        var rows = new List<Row>();
        var log = Console.Error;

        log.WriteLine($"NeuronHost kernel table ({(quick ? "quick" : "full")} sizes, {threads} threads); PyTorch first (its own process)…");
        var torch = TorchBaseline.Run(s, threads, only, out string torchStatus);
        log.WriteLine(torchStatus);

        log.WriteLine("allocating and filling the activation buffer…");
        long n = (long)s.Rows * s.Cols;
        var x = BenchData.Gaussianish(n, 1, threads);
        var labels = BenchData.Labels(s.Rows, s.Classes, 2);
        var dense = new DenseActivationMatrix(x, s.Rows, s.Cols, "bench", rowsPerBlock: 8192);

        // The ceilings, measured now, over a buffer far larger than the 32 MB L3.
        float[] bwBuffer = n * 4 >= (1L << 30) ? x : BenchData.Gaussianish(1L << 28, 3, threads);
        double readBw = MachineLimits.ReadBandwidth(bwBuffer, bwBuffer.LongLength, threads, 5);
        log.WriteLine($"read bandwidth {readBw:F1} GB/s");
        double gemmGflops = MachineLimits.SgemmGflops(s.GemmN, s.Reps, out double gemmSeconds);
        log.WriteLine($"SGEMM {Gemm.Implementation}: {gemmGflops:F1} GFLOP/s at {s.GemmN}³");

        string Bw(double bytes, double sec) => $"{bytes / sec / 1e9:F1} GB/s";
        string Pct(double v) => $"{100 * v:F0}%";

        // Class moments.
        if (Want("moments"))
        {
            var info = KernelInfo.ClassMoments(s.Rows, s.Cols, s.Classes);
            double ours = Timing.Best(s.Reps, () => kernels.ClassMoments(dense, labels, s.Classes));
            double naive = Timing.Best(1, () => NaiveKernels.ClassMoments(x, s.Rows, s.Cols, labels, s.Classes));
            rows.Add(new Row("class moments", info.Shape, ours, Bw(info.BytesRead, ours), Pct(info.BytesRead / ours / 1e9 / readBw) + " of read BW",
                naive, "", Get(torch, "moments"), "≥80% BW, ≥3× torch"));
            log.WriteLine($"moments: {ours:F3} s");
        }
        // Top activating rows and histograms (streaming reads).
        if (Want("top"))
        {
            var info = KernelInfo.TopActivatingRows(s.Rows, s.Cols, s.TopK);
            double ours = Timing.Best(s.Reps, () => kernels.TopActivatingRows(dense, s.TopK));
            double naive = Timing.Best(1, () => NaiveKernels.TopRows(x, s.Rows, s.Cols, s.TopK));
            rows.Add(new Row("top activating rows", info.Shape, ours, Bw(info.BytesRead, ours), Pct(info.BytesRead / ours / 1e9 / readBw) + " of read BW",
                naive, "", Get(torch, "topk"), "—"));
            log.WriteLine($"top rows: {ours:F3} s");
        }
        if (Want("histograms"))
        {
            var info = KernelInfo.Histograms(s.Rows, s.Cols, s.Bins);
            double ours = Timing.Best(s.Reps, () => kernels.Histograms(dense, s.Bins));
            double naive = Timing.Best(1, () => NaiveKernels.Histograms(x, s.Rows, s.Cols, s.Bins));
            rows.Add(new Row("histograms (2 passes)", info.Shape, ours, Bw(info.BytesRead, ours), Pct(info.BytesRead / ours / 1e9 / readBw) + " of read BW",
                naive, "", Get(torch, "histograms"), "—"));
            log.WriteLine($"histograms: {ours:F3} s");
        }
        // Masked intervention: translation on half the rows, all neurons (contiguous) and 1000 scattered.
        if (Want("edit"))
        {
            var rng = new Random(4);
            var mask = Enumerable.Range(0, s.Rows).Select(_ => rng.Next(2) == 0).ToArray();
            int masked = mask.Count(m => m);
            var all = Enumerable.Range(0, s.Cols).ToArray();
            var v = all.Select(_ => (float)(rng.NextDouble() * 1e-3)).ToArray();
            var info = KernelInfo.MaskedEdit(masked, s.Cols);
            var edit = new NeuronEdit(EditOp.Add, all, v);
            double ours = Timing.Best(s.Reps, () => kernels.ApplyEdit(x, s.Rows, s.Cols, mask, edit));
            double naive = Timing.Best(1, () => NaiveKernels.AddMasked(x, s.Rows, s.Cols, mask, all, v));
            rows.Add(new Row("masked edit, contiguous", $"{info.Shape} (50% of {s.Rows} rows)", ours, Bw(info.Bytes, ours) + " r+w",
                Pct(info.Bytes / ours / 1e9 / readBw) + " of read BW", naive, "", Get(torch, "edit"), "≥80% BW, ≥3× torch"));
            log.WriteLine($"edit: {ours:F3} s");

            int k = Math.Min(1000, s.Cols);
            var scattered = Enumerable.Range(0, s.Cols).OrderBy(_ => rng.Next()).Take(k).Order().ToArray();
            var v2 = scattered.Select(_ => 1e-3f).ToArray();
            var info2 = KernelInfo.MaskedEdit(masked, k);
            var edit2 = new NeuronEdit(EditOp.Add, scattered, v2);
            double ours2 = Timing.Best(s.Reps, () => kernels.ApplyEdit(x, s.Rows, s.Cols, mask, edit2));
            double naive2 = Timing.Best(1, () => NaiveKernels.AddMasked(x, s.Rows, s.Cols, mask, scattered, v2));
            rows.Add(new Row("masked edit, scattered", $"{info2.Shape} (random columns)", ours2, $"{(double)masked * k / ours2 / 1e9:F2} G values/s",
                "(gather/scatter: bound by cache lines, not bytes)", naive2, "", Get(torch, "edit_scattered"), "—"));
            log.WriteLine($"edit scattered: {ours2:F3} s");
        }
        // Correlation: the two halves of the buffer as two models' activations on the same tokens.
        if (Want("correlation"))
        {
            long half = (long)s.CorrRows * s.CorrCols;
            float[] buf = x;
            if (2 * half > x.LongLength) buf = BenchData.Gaussianish(2 * half, 5, threads);
            var a = new DenseActivationMatrix(buf.AsMemory(0, (int)half), s.CorrRows, s.CorrCols, "a", 8192);
            var b = new DenseActivationMatrix(buf.AsMemory((int)half, (int)half), s.CorrRows, s.CorrCols, "b", 8192);
            var info = KernelInfo.Correlation(s.CorrRows, s.CorrCols, s.CorrCols);
            int reps = quick ? s.Reps : 1;
            double ours = Timing.Best(reps, () => kernels.Correlation(a, b));
            double naiveSub = Timing.Best(1, () => NaiveKernels.Correlation(buf, buf.AsSpan((int)half).ToArray(), s.NaiveCorrRows, s.CorrCols, s.CorrCols));
            double naive = naiveSub * s.CorrRows / s.NaiveCorrRows;
            double torchCorr = Get(torch, "correlation_corrcoef") ?? double.NaN;
            rows.Add(new Row("correlation", info.Shape, ours, $"{info.Flops / ours / 1e9:F1} GFLOP/s", Pct(info.Flops / ours / 1e9 / gemmGflops) + " of SGEMM",
                naive, $"extrapolated from {s.NaiveCorrRows} rows", double.IsNaN(torchCorr) ? null : torchCorr, "≥70% SGEMM, ≤ torch.corrcoef"));
            rows.Add(new Row("correlation (torch: standardise+matmul)", info.Shape, ours, $"{info.Flops / ours / 1e9:F1} GFLOP/s", Pct(info.Flops / ours / 1e9 / gemmGflops) + " of SGEMM",
                null, "", Get(torch, "correlation_matmul"), "—"));
            log.WriteLine($"correlation: {ours:F3} s");
            double oursMax = Timing.Best(reps, () => kernels.MaxAbsCorrelation(a, b));
            rows.Add(new Row("max abs correlation (tiled)", info.Shape, oursMax, $"{info.Flops / oursMax / 1e9:F1} GFLOP/s", Pct(info.Flops / oursMax / 1e9 / gemmGflops) + " of SGEMM",
                null, "", null, "—"));
            log.WriteLine($"max abs correlation: {oursMax:F3} s");
        }
        // SGEMM: the BLAS in use and the managed fallback.
        if (Want("sgemm"))
        {
            int gn = s.GemmN;
            var info = KernelInfo.Sgemm(gn, gn, gn);
            double managedGflops = MachineLimits.ManagedSgemmGflops(gn, 1, out double managedSeconds);
            var na = BenchData.Gaussianish((long)s.NaiveGemmN * s.NaiveGemmN, 7, threads);
            var nc = new float[na.Length];
            double naiveSub = Timing.Best(1, () => NaiveKernels.Sgemm(na, na, nc, s.NaiveGemmN));
            double naive = naiveSub * Math.Pow((double)gn / s.NaiveGemmN, 3);
            rows.Add(new Row($"sgemm ({(Gemm.UsesOpenBlas ? "OpenBLAS" : "managed")})", info.Shape, gemmSeconds, $"{gemmGflops:F1} GFLOP/s", "(the limit)",
                naive, $"extrapolated from {s.NaiveGemmN}³", Get(torch, "sgemm"), "—"));
            rows.Add(new Row("sgemm (managed fallback)", info.Shape, managedSeconds, $"{managedGflops:F1} GFLOP/s", Pct(managedGflops / gemmGflops) + " of OpenBLAS",
                naive, $"extrapolated from {s.NaiveGemmN}³", Get(torch, "sgemm"), "—"));
            log.WriteLine($"managed sgemm: {managedGflops:F1} GFLOP/s");
        }

        var md = new StringBuilder();
        md.AppendLine($"Machine: {Environment.ProcessorCount} cores, {threads} threads; read bandwidth {readBw:F1} GB/s (SIMD sum over {bwBuffer.LongLength * 4 / 1e9:F1} GB); " +
                      $"SGEMM {gemmGflops:F1} GFLOP/s at {s.GemmN}³ ({Gemm.Implementation}); PyTorch: {torchStatus}.");
        md.AppendLine();
        md.AppendLine("| kernel | size | ours | rate | vs limit | naive C# | ours vs naive | PyTorch | ours vs torch | target |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in rows)
        {
            string naive = r.Naive is { } nv ? $"{nv:F3} s{(r.NaiveNote.Length > 0 ? $" ({r.NaiveNote})" : "")}" : "—";
            string vsNaive = r.Naive is { } nv2 ? $"{nv2 / r.Ours:F1}× faster" : "—";
            string torchS = r.Torch is { } tv ? $"{tv:F3} s" : "—";
            string vsTorch = r.Torch is { } tv2 ? $"{tv2 / r.Ours:F2}× faster" : "—";
            md.AppendLine($"| {r.Kernel} | {r.Size} | {r.Ours:F3} s | {r.Rate} | {r.OfLimit} | {naive} | {vsNaive} | {torchS} | {vsTorch} | {r.Target} |");
        }
        md.AppendLine();
        md.AppendLine("PyTorch notes: " + string.Join("; ", torch.Select(kv => $"{kv.Key}: {kv.Value.Note}")));
        Console.WriteLine(md.ToString());
        if (outFile is not null) File.WriteAllText(outFile, md.ToString());
        return 0;
    }

    private static double? Get(Dictionary<string, TorchBaseline.Result> r, string key) => r.TryGetValue(key, out var v) ? v.Seconds : null;

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
