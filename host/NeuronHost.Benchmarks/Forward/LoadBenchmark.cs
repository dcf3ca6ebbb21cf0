using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuronHost.Benchmarks.Harness;
using NeuronHost.Runtime.Models;

namespace NeuronHost.Benchmarks.Forward;

/// <summary>Checkpoint load, ours next to PyTorch's (Forward/torch_load.py: tensor by tensor,
/// 16-bit values converted by torch's .float()), each side in a fresh process every round so that
/// both pay for their memory from nothing; the rounds interleave (<see cref="Rounds"/>), PyTorch at
/// its fastest thread count. Each process times itself from opening the file to float32 weights
/// in memory (process start and imports are not charged to either) and reports its peak RSS.</summary>
public sealed record LoadBenchmarkResult(
    string Model, string DType, long CheckpointBytes, long Float32Bytes, Sample Ours, Sample? Torch, Sample? SpeedUp,
    long OursPeakRss, long TorchPeakRss, int TorchThreads, string TorchThreadTrials, string? TorchProblem, string Load)
{
    private const double GiB = 1 << 30;

    public override string ToString()
    {
        var s = $"{Model}: load model.safetensors ({CheckpointBytes / GiB:F2} GiB of {DType}) into float32 weights ({Float32Bytes / GiB:F2} GiB), " +
                $"each side in a fresh process per round; {Ours.Values.Count} interleaved rounds, load average {Load}\n" +
                $"  NeuronHost     {Ours.Describe("F2", " s")}; peak RSS {OursPeakRss / GiB:F2} GiB ({(double)OursPeakRss / Float32Bytes - 1:+0%;-0%} against the float32 weights)" +
                (DType == "F32" ? " — float32 is mapped, not read: its pages come in during the first forward\n" : "\n");
        if (Torch is { } t && SpeedUp is { } r)
            s += $"  PyTorch        {t.Describe("F2", " s")} at {TorchThreads} thread{(TorchThreads == 1 ? "" : "s")}{(TorchThreadTrials.Length > 0 ? $" (fastest of {TorchThreadTrials})" : "")}; peak RSS {TorchPeakRss / GiB:F2} GiB\n" +
                 $"  ours ÷ PyTorch {r.Describe("F2", "×")} (speed, round by round)";
        else s += $"  PyTorch        not measured: {TorchProblem}";
        return s;
    }
}

public static class LoadBenchmark
{
    public static LoadBenchmarkResult Run(string modelDir, int rounds = 5, int threads = 0, TextWriter? log = null)
    {
        modelDir = Path.GetFullPath(modelDir);
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        string file = Path.Combine(modelDir, "model.safetensors");
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: bench load reads a single model.safetensors", file);
        long oursPeak = 0, torchPeak = 0;
        double Ours() => Child(OursCommand(modelDir), ref oursPeak);
        var sides = new List<Rounds.Side> { new("ours", Ours) };
        string script = Path.Combine(AppContext.BaseDirectory, "Forward", "torch_load.py");
        string? problem = File.Exists(PythonBaseline.Interpreter) || PythonBaseline.Interpreter == "python3" ? null : $"{PythonBaseline.Interpreter} is missing";
        int torchThreads = 0; string trials = "";
        if (problem is null)
        {
            try
            {
                var (best, tried) = Rounds.BestThreadCount(threads, t => Child(TorchCommand(script, modelDir, t), ref torchPeak), trials: 2);
                torchThreads = best;
                trials = string.Join(", ", tried.Select(kv => $"{kv.Key}: {kv.Value.Median:F2} s"));
                log?.WriteLine($"  PyTorch threads: {trials} → {best}");
                sides.Add(new("torch", () => Child(TorchCommand(script, modelDir, torchThreads), ref torchPeak)));
            }
            catch (InvalidOperationException e) { problem = e.Message; }
        }
        var res = Rounds.Run(rounds, sides, log: log);
        bool withTorch = sides.Count == 2;
        var (dtype, floats) = Describe(modelDir);
        return new LoadBenchmarkResult(Path.GetFileName(modelDir), dtype, new FileInfo(file).Length, floats * 4,
            res["ours"], withTorch ? res["torch"] : null, withTorch ? res.SpeedUp("ours", "torch") : null,
            oursPeak, torchPeak, torchThreads, trials, problem, res.Load);
    }

    /// <summary>What `bench load-once` does in its own process: loads the model, prints one JSON line.</summary>
    public static string Once(string modelDir)
    {
        var clock = Stopwatch.StartNew();
        using var session = ModelLoader.Load(modelDir);
        double seconds = clock.Elapsed.TotalSeconds;
        return JsonSerializer.Serialize(new { seconds, peak_rss_bytes = Store.StoreBenchmark.PeakRss() });
    }

    /// <summary>This benchmarks program again (run by dotnet, as `neuronhost bench` runs it), doing `load-once`.</summary>
    private static ProcessStartInfo OursCommand(string modelDir)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("no path to this executable");
        string[] args = ["load-once", "--model", modelDir];
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? new(host, [typeof(LoadBenchmark).Assembly.Location, .. args]) : new(host, args);
    }

    private static ProcessStartInfo TorchCommand(string script, string modelDir, int threads)
    {
        var psi = new ProcessStartInfo(PythonBaseline.Interpreter, [script, modelDir, threads.ToString(CultureInfo.InvariantCulture)]);
        psi.Environment["PYENV_VERSION"] = "system";
        return psi;
    }

    /// <summary>Runs one load in a child process; returns its seconds and keeps the largest peak RSS seen.</summary>
    private static double Child(ProcessStartInfo psi, ref long peak)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {psi.FileName}");
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string? last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (p.ExitCode != 0 || last is null)
            throw new InvalidOperationException($"{Path.GetFileName(psi.FileName)} {string.Join(' ', psi.ArgumentList)}: exit {p.ExitCode}: {err.Result.Trim().Split('\n').LastOrDefault()}");
        using var doc = JsonDocument.Parse(last);
        peak = Math.Max(peak, doc.RootElement.GetProperty("peak_rss_bytes").GetInt64());
        return doc.RootElement.GetProperty("seconds").GetDouble();
    }

    /// <summary>The checkpoint's stored dtypes and its number of values (from the safetensors header).</summary>
    private static (string DType, long Values) Describe(string modelDir)
    {
        using var file = new Runtime.Models.Safetensors.SafetensorsFile(Path.Combine(modelDir, "model.safetensors"));
        var dtypes = file.Entries.Values.Select(e => e.DType).Distinct().Order().ToArray();
        return (string.Join("+", dtypes), file.Entries.Values.Sum(e => e.Shape.Aggregate(1L, (a, b) => a * b)));
    }
}
