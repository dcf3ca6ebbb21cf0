using System.Globalization;
using System.Text;
using NeuronHost.Benchmarks.Harness;
using NeuronHost.Kernels;
using NeuronHost.Kernels.Blas;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.KernelTable;

/// <summary><c>bench kernels [--quick] [--threads N] [--rounds R] [--only …] [--out FILE]</c>:
/// each kernel in rounds (<see cref="Rounds"/>) with its PyTorch equivalent (at PyTorch's
/// fastest thread count, tried first), the machine limit that bounds it (read, write or
/// read+write bandwidth, or SGEMM), and for the edits the naive loop — all alternating in one
/// process tree. A markdown table of medians with min–max over the rounds.</summary>
internal static class TableRunner
{
    private sealed record Row(string Kernel, string Size, Sample Ours, string Rate, string Limit, Sample? OfLimit,
        Sample? Torch, ReferenceThreads? TorchThreads, Sample? VsTorch, Sample? VsNaive, string Load, KernelProfile? Profile);

    /// <summary>A part of a kernel timed alone in the same rounds (its label, one run): what the
    /// rest of the kernel's time goes to follows from the round-by-round ratio.</summary>
    private sealed record ProfileSide(string Label, Action Run);

    private sealed record Limit(string Name, Func<double> RunOnce, double Amount, string Unit);

    private const string Usage = """
        neuronhost bench kernels [--quick] [--threads N] [--rounds R] [--only GROUPS] [--out FILE]
          --quick     smaller sizes (40,000 × 1,024) instead of the issue's (200,000 × 3,072)
          --threads   threads for our kernels and OpenBLAS, and the most PyTorch tries (default: all cores)
          --rounds    interleaved rounds per row (at least 5)
          --only      a comma-separated subset of moments,top,histograms,edit,correlation,sgemm
          --out       also write the table to FILE
        """;

    public static int Run(string[] args) => Command(args, Console.Out, Console.Error);

    /// <summary>The command line's entry: the arguments checked, then the table.</summary>
    public static int Command(string[] args, TextWriter output, TextWriter log) =>
        RawArguments.Check(args, Usage, ["--quick"], ["--threads", "--rounds"], ["--only", "--out"], output, log)
        ?? CheckRoundsAndGroups(args, log)
        ?? CheckOutput(args, log)
        ?? Run(args, output, log);

    /// <summary>The table's first words: an existing --out file that starts otherwise was not written by this command.</summary>
    internal const string TableTitle = "Kernel table, ";

    private static int? CheckOutput(string[] args, TextWriter error)
    {
        if (RawArguments.Value(args, "--out") is not { } path || BenchOutputFile.Problem(path, TableTitle) is not { } problem) return null;
        error.WriteLine($"error: {problem}");
        return 2;
    }

    private static readonly string[] Groups = ["moments", "top", "histograms", "edit", "correlation", "sgemm"];

    /// <summary>Fewer rounds than the discipline's minimum once ran the minimum under a header that
    /// said otherwise; a misspelt group once timed nothing after minutes of setup.</summary>
    private static int? CheckRoundsAndGroups(string[] args, TextWriter error)
    {
        if (RawArguments.Value(args, "--rounds") is { } r && int.Parse(r, CultureInfo.InvariantCulture) < Rounds.MinimumRounds)
        {
            error.WriteLine($"error: --rounds {r}: the table times at least {Rounds.MinimumRounds} interleaved rounds");
            return 2;
        }
        foreach (var g in RawArguments.Value(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [])
            if (!Groups.Contains(g))
            {
                error.WriteLine($"error: --only '{g}' is not a kernel group ({string.Join(", ", Groups)})");
                return 2;
            }
        return null;
    }

    public static int Run(string[] args, TextWriter output, TextWriter log)
    {
        Measure(args, output, log);
        return 0;
    }

    /// <summary>The table, written to <paramref name="output"/>; returns its rows' figures (for
    /// <c>bench all</c>'s goals).</summary>
    public static IReadOnlyList<KernelFigure> Measure(string[] args, TextWriter output, TextWriter log)
    {
        bool quick = args.Contains("--quick");
        int threads = RawArguments.Value(args, "--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        int rounds = RawArguments.Value(args, "--rounds") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : Rounds.MinimumRounds;
        string? outFile = RawArguments.Value(args, "--out");
        // --only moments,top,histograms,edit,correlation,sgemm: a subset (for working on one kernel).
        var only = RawArguments.Value(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        bool Want(string group) => only is null || only.Contains(group);
        var s = quick ? BenchSizes.Quick : BenchSizes.Full;
        int blasThreads = Gemm.SetThreads(threads);   // --threads reaches OpenBLAS's own pool too
        var kernels = new CpuKernels(threads);
        var rows = new List<Row>();
        string loadStart = LoadAverage.Now();
        log.WriteLine($"kernel table ({(quick ? "quick" : "full")} sizes, {threads} threads, OpenBLAS {blasThreads}, {rounds} rounds), load average {loadStart}");

        string script = Path.Combine(AppContext.BaseDirectory, "KernelTable", "torch_baseline.py");
        var sizeArgs = new object[] { s.Rows, s.Cols, s.Classes, s.CorrRows, s.CorrCols, s.TopK, s.Bins, s.GemmN }
            .Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)!);
        using var torch = ReferenceProcess.Start(script, sizeArgs, out string? torchProblem);
        log.WriteLine(torch is null ? $"PyTorch not compared: {torchProblem}" : "PyTorch reference process started");

        long n = (long)s.Rows * s.Cols;
        var x = BenchData.Gaussianish(n, 1, threads);
        var labels = BenchData.Labels(s.Rows, s.Classes, 2);
        var dense = new DenseActivationMatrix(x, s.Rows, s.Cols, "bench", rowsPerBlock: 8192);
        // The bandwidth probes' own buffer, ≥ 1 GiB (far beyond the L3) unless the data is smaller.
        var probe = BenchData.Gaussianish(Math.Max(n, 1L << 28), 3, threads);

        // A limit: its name, one timed run, and what that run moves (bytes) or computes (FLOPs).
        Limit Bandwidth(MachineLimits.Pass p) => new(Name(p), () => MachineLimits.Time(p, probe, threads), MachineLimits.Bytes(p, probe), "GB/s");

        Row Measure(string kernel, string size, Action ours, double amount, Limit? limit, string? torchKey, Action? naive = null, string rateUnit = "GB/s",
            ProfileSide? profile = null)
        {
            log.WriteLine($"{kernel}…");
            ReferenceThreads? torchThreads = null;
            var sides = new List<Rounds.Side> { new("ours", () => Rounds.Time(ours)) };
            if (torch is not null && torchKey is not null)
            {
                var (best, tried) = Rounds.BestThreads(threads, torch.SetsOpenBlas, th => torch.Seconds(torchKey, th), trials: 2);
                torchThreads = best;
                log.WriteLine($"  PyTorch threads: " + string.Join(", ", tried.Select(kv => $"{kv.Key}: {kv.Value.Median:F3} s")) + $" → {best}");
                sides.Add(new("torch", () => torch.Seconds(torchKey, best)));
            }
            if (limit is not null) sides.Add(new("limit", limit.RunOnce));
            if (naive is not null) sides.Add(new("naive", () => Rounds.Time(naive)));
            if (profile is not null) sides.Add(new("profile", () => Rounds.Time(profile.Run)));
            var res = Rounds.Run(rounds, sides, log: log);
            Sample? ofLimit = null; string limitText = "—";
            if (limit is not null)
            {
                // per round: our rate ÷ the limit's rate in the same round
                ofLimit = new Sample(res["ours"].Values.Zip(res["limit"].Values, (o, l) => (amount / o) / (limit.Amount / l)));
                limitText = $"{limit.Name} {new Sample(res["limit"].Values.Select(l => limit.Amount / l / 1e9)).Describe("F1", " " + limit.Unit)}";
            }
            var rate = new Sample(res["ours"].Values.Select(o => amount / o / 1e9));
            bool compared = torch is not null && torchKey is not null;
            return new Row(kernel, size, res["ours"], rate.Describe("F1", $" {rateUnit}"), limitText, ofLimit,
                compared ? res["torch"] : null, torchThreads, compared ? res.SpeedUp("ours", "torch") : null,
                naive is not null ? res.SpeedUp("ours", "naive") : null, res.Load,
                profile is null ? null : new KernelProfile(profile.Label, res["profile"], Sample.Ratio(res["profile"], res["ours"])));
        }

        if (Want("moments"))
        {
            var info = KernelInfo.ClassMoments(s.Rows, s.Cols, s.Classes);
            // profile: the same pass with every row in one class (no per-class accumulators to pick)
            var oneClass = new int[s.Rows];
            rows.Add(Measure("class moments", info.Shape, () => kernels.ClassMoments(dense, labels, s.Classes), info.BytesRead, Bandwidth(MachineLimits.Pass.Read), "moments",
                profile: new("the same pass with 1 class", () => kernels.ClassMoments(dense, oneClass, 1))));
        }
        if (Want("top"))
        {
            var info = KernelInfo.TopActivatingRows(s.Rows, s.Cols, s.TopK);
            // profile: k = 1 offers a neuron's heap about ln(rows) values instead of k·(1 + ln(rows / k))
            rows.Add(Measure("top activating rows", info.Shape, () => kernels.TopActivatingRows(dense, s.TopK), info.BytesRead, Bandwidth(MachineLimits.Pass.Read), "topk",
                profile: new("the same scan at k = 1", () => kernels.TopActivatingRows(dense, 1))));
        }
        if (Want("histograms"))
        {
            var info = KernelInfo.Histograms(s.Rows, s.Cols, s.Bins);
            rows.Add(Measure("histograms (2 passes)", info.Shape, () => kernels.Histograms(dense, s.Bins), info.BytesRead, Bandwidth(MachineLimits.Pass.Read), "histograms",
                profile: new("pass 1 (min, max) alone", () => HistogramKernel.Ranges(dense, threads, default))));
        }
        if (Want("edit"))
        {
            // translation on half the rows: every neuron (contiguous) and 1,000 scattered ones
            var rng = new Random(4);
            var mask = Enumerable.Range(0, s.Rows).Select(_ => rng.Next(2) == 0).ToArray();
            int masked = mask.Count(m => m);
            var all = Enumerable.Range(0, s.Cols).ToArray();
            var v = all.Select(_ => (float)(rng.NextDouble() * 1e-3)).ToArray();
            var info = KernelInfo.MaskedEdit(masked, s.Cols);
            var edit = new NeuronEdit(EditOp.Add, all, v);
            rows.Add(Measure("masked edit, contiguous", $"{info.Shape} (50% of {s.Rows} rows)", () => kernels.ApplyEdit(x, s.Rows, s.Cols, mask, edit),
                info.Bytes, Bandwidth(MachineLimits.Pass.ReadWrite), "edit", () => NaiveKernels.AddMasked(x, s.Rows, s.Cols, mask, all, v), "GB/s r+w"));

            int k = Math.Min(1000, s.Cols);
            var scattered = Enumerable.Range(0, s.Cols).OrderBy(_ => rng.Next()).Take(k).Order().ToArray();
            var v2 = scattered.Select(_ => 1e-3f).ToArray();
            var edit2 = new NeuronEdit(EditOp.Add, scattered, v2);
            // 1,000 random columns of 3,072 touch nearly every 64-byte line of a masked row, so the
            // bytes that bound it are the whole masked rows, read and written
            double rowBytes = 2.0 * 4 * masked * s.Cols;
            rows.Add(Measure("masked edit, scattered", $"{masked} rows × {k} random neurons of {s.Cols}", () => kernels.ApplyEdit(x, s.Rows, s.Cols, mask, edit2),
                rowBytes, Bandwidth(MachineLimits.Pass.ReadWrite), "edit_scattered", () => NaiveKernels.AddMasked(x, s.Rows, s.Cols, mask, scattered, v2), "GB/s r+w of whole rows"));
        }
        if (Want("correlation") || Want("sgemm"))
        {
            int gn = s.GemmN;
            var ga = BenchData.Gaussianish((long)gn * gn, 5, threads);
            var gb = BenchData.Gaussianish((long)gn * gn, 6, threads);
            var gc = new float[(long)gn * gn];
            double gemmFlops = 2.0 * gn * gn * gn;
            if (Want("correlation"))
            {
                long half = (long)s.CorrRows * s.CorrCols;
                var buf = 2 * half <= x.LongLength ? x : BenchData.Gaussianish(2 * half, 5, threads);
                var a = new DenseActivationMatrix(buf.AsMemory(0, (int)half), s.CorrRows, s.CorrCols, "a", 8192);
                var b = new DenseActivationMatrix(buf.AsMemory((int)half, (int)half), s.CorrRows, s.CorrCols, "b", 8192);
                var info = KernelInfo.Correlation(s.CorrRows, s.CorrCols, s.CorrCols);
                var sgemmLimit = new Limit($"SGEMM {gn}³", () => MachineLimits.SgemmSeconds(ga, gb, gc, gn), gemmFlops, "GFLOP/s");
                rows.Add(Measure("correlation (vs torch.corrcoef)", info.Shape, () => kernels.Correlation(a, b), info.Flops, sgemmLimit, "correlation_corrcoef", rateUnit: "GFLOP/s"));
                rows.Add(Measure("correlation (vs torch standardise + matmul)", info.Shape, () => kernels.Correlation(a, b), info.Flops, sgemmLimit, "correlation_matmul", rateUnit: "GFLOP/s"));
                rows.Add(Measure("max abs correlation (tiled)", info.Shape, () => kernels.MaxAbsCorrelation(a, b), info.Flops, sgemmLimit, null, rateUnit: "GFLOP/s"));
            }
            if (Want("sgemm"))
            {
                var info = KernelInfo.Sgemm(gn, gn, gn);
                rows.Add(Measure($"sgemm ({(Gemm.UsesOpenBlas ? "OpenBLAS" : "managed")}) vs torch.mm", info.Shape,
                    () => Gemm.Sgemm(false, false, gn, gn, gn, 1f, ga, gn, gb, gn, 0f, gc, gn), gemmFlops, null, "sgemm", rateUnit: "GFLOP/s"));
                rows.Add(Measure("sgemm (managed fallback) vs torch.mm", info.Shape,
                    () => ManagedGemm.Sgemm(false, false, gn, gn, gn, 1f, ga, gn, gb, gn, 0f, gc, gn), gemmFlops,
                    new Limit("OpenBLAS", () => MachineLimits.SgemmSeconds(ga, gb, gc, gn), gemmFlops, "GFLOP/s"), "sgemm", rateUnit: "GFLOP/s"));
            }
        }

        var md = new StringBuilder();
        md.AppendLine($"{TableTitle}{(quick ? "quick" : "the issue's")} sizes: {Environment.ProcessorCount} cores, ours {threads} threads " +
                      $"(OpenBLAS {blasThreads}); {Gemm.Implementation}; {rounds} interleaved rounds per row; load average {loadStart} at the start, {LoadAverage.Now()} at the end; " +
                      $"PyTorch: {(torch is null ? $"not compared ({torchProblem})" : $"{PythonBaseline.Interpreter}, one process alive for the whole table")}.");
        md.AppendLine();
        md.AppendLine("| kernel | size | ours, s | our rate | limit, same rounds | ours ÷ limit | PyTorch, s (threads) | speed-up vs PyTorch | speed-up vs naive | part timed alone, same rounds | load during row |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var row in rows)
            md.AppendLine($"| {row.Kernel} | {row.Size} | {row.Ours.Describe()} | {row.Rate} | {row.Limit} | {Pct(row.OfLimit)} | " +
                          $"{(row.Torch is { } tt ? $"{tt.Describe()} ({row.TorchThreads})" : "—")} | {Times(row.VsTorch)} | {Times(row.VsNaive)} | " +
                          $"{(row.Profile is { } p ? $"{p.Label}: {p.Seconds.Describe()} s, {Pct(p.OfOurs)} of ours" : "—")} | {row.Load} |");
        md.AppendLine();
        md.AppendLine("Cells are medians with (min–max, n = rounds). Speed-ups are the median of the round-by-round ratios " +
                      "(reference time ÷ ours; > 1 means ours is faster). \"ours ÷ limit\" is our rate divided by the limit probe's rate in the same round. " +
                      "\"Part timed alone\" is a piece of the kernel run by itself as one more side of the rounds, and its time as a share of ours, round by round: " +
                      "the rest of our time is what the piece leaves out.");
        output.Write(md.ToString());
        if (outFile is not null) BenchOutputFile.Write(outFile, md.ToString());
        return rows.Select(r => new KernelFigure(r.Kernel, r.Size, r.OfLimit, r.Limit, r.VsTorch, r.VsNaive, r.Profile)).ToList();
    }

    internal static string Pct(Sample? s) => s is null ? "—"
        : string.Create(CultureInfo.InvariantCulture, $"{100 * s.Median:F0}% ({100 * s.Min:F0}–{100 * s.Max:F0}%)");

    private static string Name(MachineLimits.Pass p) => p switch
    {
        MachineLimits.Pass.Read => "read",
        MachineLimits.Pass.Write => "write",
        _ => "read+write",
    };

    private static string Times(Sample? s) => s is null ? "—"
        : string.Create(CultureInfo.InvariantCulture, $"{s.Median:F2}× ({s.Min:F2}–{s.Max:F2})");
}

/// <summary>A part of a kernel timed alone in the same rounds, and its time as a share of the kernel's.</summary>
public sealed record KernelProfile(string Label, Sample Seconds, Sample OfOurs);

/// <summary>One row of the kernel table, as figures: ours ÷ the limit that bounds it, the speed-ups, the profile.</summary>
public sealed record KernelFigure(string Kernel, string Size, Sample? OfLimit, string Limit, Sample? VsTorch, Sample? VsNaive, KernelProfile? Profile);
