using NeuronHost.Plugins.Linear;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.Probes;

/// <summary>One benchmark task: row-major float activations [rows, Features] and labels per split
/// (Test optional: it shows whether early stopping on dev merely fitted dev).</summary>
public sealed record LinearBenchmarkTask(string Name, int Features, int Classes,
    float[] TrainX, int[] TrainY, float[] DevX, int[] DevY, float[]? TestX = null, int[]? TestY = null);

/// <summary>Our elastic-net probe (OWL-QN, full batch, SGEMM, early stopping on dev) vs NeuroX's
/// trainer algorithm (Adam, 10 epochs, batch 32, PyTorch; scripts/bench/neurox_linear_probe.py)
/// on the same matrices and objective, printed side by side with the GEMM throughput our solver
/// reached next to the machine's SGEMM peak measured in the same run.</summary>
public static class LinearProbeBenchmark
{
    /// <summary>Our run: median time of the repeats, accuracies, and each repeat's dev checks.</summary>
    public sealed record Row(string Label, double Seconds, double Dev, double? Test, int Iterations, double GemmFlops,
        IReadOnlyList<IReadOnlyList<DevCheck>> Checks);
    /// <summary>Adam's runs: median training seconds (its dev evaluations not counted), accuracies
    /// (seeded, the same every run) and, per run, the training seconds at which an epoch first
    /// reached a dev accuracy (see <see cref="Result.TheirToAccuracy"/>).</summary>
    public sealed record Adam(double Seconds, double Dev, double? Test, IReadOnlyList<IReadOnlyList<(double Seconds, double Dev)>> Epochs);

    public sealed record Result(string Task, Row Ours, Row? Fista, Adam Their, Harness.Sample RoundSpeedUp, Harness.ReferenceThreads TorchThreads)
    {
        public double TheirSeconds => Their.Seconds;
        public double TheirDev => Their.Dev;
        public double? TheirTest => Their.Test;
        public double SpeedUp => TheirSeconds / Ours.Seconds;
        public double DevDifferencePoints => 100 * (Ours.Dev - TheirDev);
        /// <summary>The issue's condition on the whole early-stopped run: ≥ 5× faster with dev
        /// accuracy no more than 0.5 pt below Adam's.</summary>
        public bool MeetsTarget => SpeedUp >= 5 && DevDifferencePoints >= -0.5;
        private double Target => TheirDev - 0.005;
        /// <summary>Time-to-accuracy, ours: the median over our runs of the time (since training
        /// started) of the first iterate whose dev accuracy is at least Adam's − 0.5 pt; null when a
        /// run never got there.</summary>
        public (double Seconds, int Iteration)? ToTheirAccuracy
        {
            get
            {
                var hits = Ours.Checks.Select(run => run.FirstOrDefault(c => c.Accuracy >= Target)).ToList();
                if (hits.Count == 0 || hits.Any(h => h is null)) return null;
                var sorted = hits.OrderBy(h => h!.Elapsed).ToList();
                var median = sorted[sorted.Count / 2]!;
                return (median.Elapsed.TotalSeconds, median.Iteration);
            }
        }
        /// <summary>The same for Adam, charged the same way: the median over its runs of the training
        /// time at the end of the first epoch whose dev accuracy is at least the same target (not
        /// all 10 epochs).</summary>
        public double? TheirToAccuracy
        {
            get
            {
                var hits = Their.Epochs.Select(run => run.Where(e => e.Dev >= Target).Select(e => (double?)e.Seconds).FirstOrDefault()).ToList();
                if (hits.Count == 0 || hits.Any(h => h is null)) return null;
                return hits.Order().ElementAt(hits.Count / 2);
            }
        }
        public double? SpeedUpToTheirAccuracy => ToTheirAccuracy is { } t && TheirToAccuracy is { } a ? a / t.Seconds : null;
    }

    /// <summary>GFLOP/s of a square SGEMM of the given size (best of three after a warm-up): the
    /// machine limit our solver's matrix products are compared with.</summary>
    public static double MeasureSgemmPeak(IComputeKernels kernels, int size = 2048)
    {
        var a = new float[size * size]; var b = new float[size * size]; var c = new float[size * size];
        var rng = new Random(3);
        for (int i = 0; i < a.Length; i++) { a[i] = (float)rng.NextDouble(); b[i] = (float)rng.NextDouble(); }
        kernels.Sgemm(false, false, size / 4, size / 4, size / 4, 1f, a, size / 4, b, size / 4, 0f, c, size / 4);
        double best = double.MaxValue;
        for (int rep = 0; rep < 3; rep++)
        {
            var sw = Stopwatch.StartNew();
            kernels.Sgemm(false, false, size, size, size, 1f, a, size, b, size, 0f, c, size);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return 2.0 * size * size * size / best / 1e9;
    }

    public static Result Run(LinearBenchmarkTask task, IComputeKernels kernels, string pythonScript, TextWriter output,
        double sgemmPeakGflops, double l1 = 1e-5, double l2 = 1e-5, string? python = null, double tolerance = 1e-4,
        int? patience = null, double? minDelta = null, bool withFista = false, int threads = 0, int repeats = 5)
    {
        int d = task.Features, classes = task.Classes, nt = task.TrainY.Length, nd = task.DevY.Length;
        int ns = task.TestY?.Length ?? 0;
        if ((long)nt * d != task.TrainX.Length || (long)nd * d != task.DevX.Length || (long)ns * d != (task.TestX?.Length ?? 0))
            throw new ArgumentException($"{task.Name}: activation sizes do not match the label counts × {d} neurons");
        var dir = Path.Combine(Path.GetTempPath(), $"neuronhost-bench-linear-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            Write(Path.Combine(dir, "train_x.bin"), task.TrainX); Write(Path.Combine(dir, "train_y.bin"), task.TrainY);
            Write(Path.Combine(dir, "dev_x.bin"), task.DevX); Write(Path.Combine(dir, "dev_y.bin"), task.DevY);
            if (task.TestX is not null && task.TestY is not null)
            {
                Write(Path.Combine(dir, "test_x.bin"), task.TestX); Write(Path.Combine(dir, "test_y.bin"), task.TestY);
            }
            output.WriteLine($"linear probe — {task.Name}: {nt} train / {nd} dev / {ns} test tokens, {d} neurons, {classes} classes, " +
                             $"λ1={l1:g3} λ2={l2:g3}");

            var defaults = new ElasticNetOptions();
            var options = defaults with
            {
                L1 = l1, L2 = l2, Tolerance = tolerance, MaxIterations = 500,
                EarlyStoppingPatience = patience ?? defaults.EarlyStoppingPatience, EarlyStoppingMinDelta = minDelta ?? defaults.EarlyStoppingMinDelta,
            };
            // warm-up on a slice (JIT, OpenBLAS threads), then the timed runs
            int warm = Math.Min(nt, 2000);
            ElasticNetTrainer.Fit(task.TrainX.AsSpan(0, warm * d).ToArray(), warm, d, task.TrainY.AsSpan(0, warm), classes,
                options with { MaxIterations = 5 });
            PassBenchmark.Run(task.TrainX, nt, d, task.TrainY, classes, kernels, sgemmPeakGflops, output);
            // Adam's thread count: the given one, or (0) the fastest of 1..cores on one-epoch runs
            var torchThreads = new Harness.ReferenceThreads(threads, threads);
            if (threads <= 0)
            {
                var (best, tried) = Harness.Rounds.BestThreads(Environment.ProcessorCount, setsOpenBlas: true,
                    t => RunAdam(task, dir, pythonScript, python, l1, l2, t, epochs: 1).Seconds, trials: 1);
                torchThreads = best;
                output.WriteLine($"  Adam threads (one epoch each): {string.Join(", ", tried.Select(kv => $"{kv.Key}: {kv.Value.Median:F2} s"))} → {best}");
            }
            // ours and Adam alternate, round by round (FISTA, when asked, runs after: it is a side note)
            var oursRuns = new List<(double Seconds, SoftmaxModel Model)>();
            var adamRuns = new List<(double Seconds, double Dev, double? Test, List<(double, double)> Epochs, Harness.ReferenceThreads Ran)>();
            var rounds = Harness.Rounds.Run(repeats, [
                new("ours", () => { var r = FitOnce(task, options); oursRuns.Add(r); return r.Seconds; }),
                new("adam", () => { var a = RunAdam(task, dir, pythonScript, python, l1, l2, torchThreads); adamRuns.Add(a); return a.Seconds; }),
            ], warmUp: false, log: output, minimumRounds: Math.Min(repeats, Harness.Rounds.MinimumRounds));
            var ours = Summarise("NeuronHost OWL-QN", task, oursRuns, kernels);
            Row? fista = withFista ? Ours("NeuronHost FISTA", task, options with { Solver = ElasticNetSolver.Fista }, kernels, repeats) : null;
            torchThreads = adamRuns[0].Ran;   // what ran: a torch whose BLAS is not OpenBLAS sets torch's count alone
            var adam = new Adam(rounds["adam"].Median, adamRuns[0].Dev, adamRuns[0].Test,
                adamRuns.Select(a => (IReadOnlyList<(double, double)>)a.Epochs).ToList());
            double theirSeconds = adam.Seconds, theirDev = adam.Dev; double? theirTest = adam.Test;

            output.WriteLine($"  {"",-62} {"seconds",8} {"dev acc",9} {"test acc",9}   GEMM throughput");
            foreach (var row in fista is null ? new[] { ours } : [ours, fista])
            {
                double gflops = row.GemmFlops / row.Seconds / 1e9;
                output.WriteLine($"  {row.Label,-62} {row.Seconds,8:F2} {row.Dev,9:P2} {Pct(row.Test),9}   " +
                                 $"{gflops:F1} GFLOP/s = {gflops / sgemmPeakGflops:P0} of SGEMM peak {sgemmPeakGflops:F1}");
            }
            output.WriteLine($"  {$"NeuroX Adam, 10 epochs, batch 32 (torch, {torchThreads})",-62} {theirSeconds,8:F2} {theirDev,9:P2} {Pct(theirTest),9}");
            var result = new Result(task.Name, ours, fista, adam, rounds.SpeedUp("ours", "adam"), torchThreads);
            output.WriteLine($"  speed-up {result.SpeedUp:F1}× (round by round {result.RoundSpeedUp.Describe("F1", "×")}; load average {rounds.Load}), dev accuracy difference {Signed(result.DevDifferencePoints)} pt" +
                             (fista is null ? "" : $" (FISTA: {theirSeconds / fista.Seconds:F1}×, {Signed(100 * (fista.Dev - theirDev))} pt)") +
                             $" — target ≥ 5× at ≥ −0.5 pt: {(result.MeetsTarget ? "met" : "NOT met")}");
            output.WriteLine($"  time to Adam's dev accuracy − 0.5 pt ({theirDev - 0.005:P2}), both charged until their first check at it: ours " +
                             (result.ToTheirAccuracy is { } hit ? $"{hit.Seconds:F2} s (iteration {hit.Iteration}, median of {ours.Checks.Count})" : "not reached") +
                             ", Adam " + (result.TheirToAccuracy is { } at ? $"{at:F2} s (median of {adam.Epochs.Count})" : "not reached") +
                             (result.SpeedUpToTheirAccuracy is { } su ? $" → {su:F1}×" : ""));
            return result;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>The results of several tasks as one table.</summary>
    public static void PrintSummary(IReadOnlyList<Result> results, TextWriter output)
    {
        output.WriteLine($"  {"task",-34} {"ours s",8} {"dev",8} {"Adam s",8} {"dev",8} {"speed-up",9} {"Δ dev",8}  {"target",-8} {"to Adam−0.5",12}  rounds");
        foreach (var r in results)
            output.WriteLine($"  {r.Task,-34} {r.Ours.Seconds,8:F2} {r.Ours.Dev,8:P2} {r.TheirSeconds,8:F2} {r.TheirDev,8:P2} " +
                             $"{r.SpeedUp,8:F1}× {Signed(r.DevDifferencePoints),7}  {(r.MeetsTarget ? "met" : "NOT met"),-8} " +
                             $"{(r.SpeedUpToTheirAccuracy is { } s ? $"{s:F1}×" : "not reached"),12}  {r.RoundSpeedUp.Min:F1}–{r.RoundSpeedUp.Max:F1}×");
    }

    /// <summary>Trains <paramref name="repeats"/> times (the result is deterministic, so only the
    /// time varies) and reports the median time: on a shared machine a load spike during one
    /// few-second run would otherwise decide the ratio, while Adam's minute-long run averages
    /// spikes out.</summary>
    private static (double Seconds, SoftmaxModel Model) FitOnce(LinearBenchmarkTask task, ElasticNetOptions options)
    {
        var sw = Stopwatch.StartNew();
        var model = ElasticNetTrainer.Fit(task.TrainX, task.TrainY.Length, task.Features, task.TrainY, task.Classes, options,
            earlyStopping: new EarlyStoppingSet(task.DevX, task.DevY.Length, task.DevY));
        return (sw.Elapsed.TotalSeconds, model);
    }

    /// <summary>Our row from interleaved runs (deterministic: only the time varies).</summary>
    private static Row Summarise(string label, LinearBenchmarkTask task, List<(double Seconds, SoftmaxModel Model)> runs, IComputeKernels kernels)
    {
        var times = runs.Select(r => r.Seconds).Order().ToList();
        var model = runs[^1].Model;
        int d = task.Features;
        var all = Enumerable.Range(0, d).ToArray();
        double Acc(float[] x, int[] y) => LinearProbeData.Accuracy(
            LinearProbeData.Predict(model, new DenseActivationMatrix(x, y.Length, d), all, default), y);
        string it = model.StoppedEarlyAt is { } best ? $"{model.Iterations} it., best {best}" : $"{model.Iterations} it.";
        string spread = times.Count > 1 ? $", median of {times.Count}: {times[0]:F2}–{times[^1]:F2} s" : "";
        return new Row($"{label} ({it}{spread})", times[times.Count / 2], Acc(task.DevX, task.DevY),
            task.TestX is null || task.TestY is null ? null : Acc(task.TestX, task.TestY), model.Iterations, model.GemmFlops,
            runs.Select(r => r.Model.DevChecks).ToList());
    }

    private static Row Ours(string label, LinearBenchmarkTask task, ElasticNetOptions options, IComputeKernels kernels, int repeats)
    {
        int d = task.Features, nt = task.TrainY.Length;
        SoftmaxModel? model = null;
        var times = new List<double>();
        var checks = new List<IReadOnlyList<DevCheck>>();
        for (int r = 0; r < Math.Max(1, repeats); r++)
        {
            var sw = Stopwatch.StartNew();
            model = ElasticNetTrainer.Fit(task.TrainX, nt, d, task.TrainY, task.Classes, options,
                earlyStopping: new EarlyStoppingSet(task.DevX, task.DevY.Length, task.DevY));
            times.Add(sw.Elapsed.TotalSeconds);
            checks.Add(model.DevChecks);
        }
        times.Sort();
        double seconds = times[times.Count / 2];
        var all = Enumerable.Range(0, d).ToArray();
        double Acc(float[] x, int[] y) => LinearProbeData.Accuracy(
            LinearProbeData.Predict(model!, new DenseActivationMatrix(x, y.Length, d), all, default), y);
        string it = model!.StoppedEarlyAt is { } best ? $"{model.Iterations} it., best {best}" : $"{model.Iterations} it.";
        string spread = times.Count > 1 ? $", median of {times.Count}: {times[0]:F2}–{times[^1]:F2} s" : "";
        return new Row($"{label} ({it}{spread})", seconds, Acc(task.DevX, task.DevY),
            task.TestX is null || task.TestY is null ? null : Acc(task.TestX, task.TestY), model.Iterations, model.GemmFlops, checks);
    }

    private static (double Seconds, double Dev, double? Test, List<(double, double)> Epochs, Harness.ReferenceThreads Ran) RunAdam(LinearBenchmarkTask task, string dir, string pythonScript,
        string? python, double l1, double l2, Harness.ReferenceThreads threads, int epochs = 10)
    {
        python ??= File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var psi = new ProcessStartInfo(python) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.GetFullPath(pythonScript), Str(task.Features), Str(task.Classes),
                     l1.ToString("R", CultureInfo.InvariantCulture), l2.ToString("R", CultureInfo.InvariantCulture), Str(epochs),
                     Str(threads.Torch), Str(threads.Blas ?? threads.Torch) })
            psi.ArgumentList.Add(a);
        if (Environment.GetEnvironmentVariable("PYENV_VERSION") is null) psi.Environment["PYENV_VERSION"] = "system";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string stderr = stderrTask.Result;
        if (p.ExitCode != 0) throw new InvalidOperationException($"{pythonScript} failed ({python}): {stderr}");
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        var root = json.RootElement;
        var ran = new Harness.ReferenceThreads(root.GetProperty("threads").GetInt32(),
            root.GetProperty("blas").ValueKind == JsonValueKind.Number ? root.GetProperty("blas").GetInt32() : null);
        // torch's BLAS may be one whose threads follow torch's (not OpenBLAS): then only torch's count was set
        if (ran.Torch != threads.Torch || (ran.Blas is { } b && b != threads.Blas))
            throw new InvalidOperationException($"{pythonScript} ran at {ran}, not at {threads}");
        var perEpoch = root.TryGetProperty("per_epoch", out var pe)
            ? pe.EnumerateArray().Select(e => (e[0].GetDouble(), e[1].GetDouble())).ToList() : [];
        return (root.GetProperty("seconds").GetDouble(), root.GetProperty("dev_accuracy").GetDouble(),
            root.TryGetProperty("test_accuracy", out var t) ? t.GetDouble() : null, perEpoch, ran);
    }

    /// <summary>Points with an explicit sign; values that round to zero print as +0.00.</summary>
    private static string Signed(double v)
    {
        double r = Math.Round(v, 2);
        return (r == 0 ? 0 : r).ToString("+0.00;-0.00;+0.00", CultureInfo.InvariantCulture);
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Pct(double? v) => v is { } x ? x.ToString("P2", CultureInfo.CurrentCulture) : "—";

    private static void Write<T>(string path, T[] values) where T : unmanaged
    {
        using var f = File.Create(path);
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
