using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace NeuronHost.Kernels.Benchmarks.Table;

/// <summary>Runs torch_baseline.py (Debian's python3-torch) with the same sizes and thread count
/// and collects its best times per kernel. Missing torch gives an empty result, not a failure.</summary>
internal static class TorchBaseline
{
    public sealed record Result(double Seconds, string Note);

    public static Dictionary<string, Result> Run(BenchSizes s, int threads, ISet<string>? only, out string status)
    {
        var results = new Dictionary<string, Result>();
        string script = Path.Combine(AppContext.BaseDirectory, "Table", "torch_baseline.py");
        string python = Environment.GetEnvironmentVariable("NEURONHOST_PYTHON") is { Length: > 0 } p ? p
            : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var args = new object[] { script, threads, s.Rows, s.Cols, s.Classes, s.CorrRows, s.CorrCols, s.TopK, s.Bins, s.GemmN, s.Reps }
            .Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)!).ToList();
        if (only is not null) args.AddRange(only.Select(g => g == "top" ? "topk" : g));
        var psi = new ProcessStartInfo(python, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["PYENV_VERSION"] = "system";
        try
        {
            using var proc = Process.Start(psi)!;
            var err = proc.StandardError.ReadToEndAsync();
            string? line;
            while ((line = proc.StandardOutput.ReadLine()) is not null)
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                string kernel = root.GetProperty("kernel").GetString()!;
                results[kernel] = new Result(root.GetProperty("seconds").GetDouble(), root.GetProperty("note").GetString() ?? "");
                Console.Error.WriteLine($"  torch {kernel}: {results[kernel].Seconds:F3} s");
            }
            proc.WaitForExit();
            status = proc.ExitCode == 0 ? $"{python}, torch, {threads} threads" : $"torch baseline failed: {err.Result.Trim().Split('\n').LastOrDefault()}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or JsonException)
        {
            status = $"torch baseline not run: {e.Message}";
        }
        return results;
    }
}
