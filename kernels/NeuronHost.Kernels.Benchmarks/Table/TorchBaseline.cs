using System.Globalization;

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
        var args = new object[] { threads, s.Rows, s.Cols, s.Classes, s.CorrRows, s.CorrCols, s.TopK, s.Bins, s.GemmN, s.Reps }
            .Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)!).ToList();
        if (only is not null) args.AddRange(only.Select(g => g == "top" ? "topk" : g));
        string? failure = PythonBaseline.Run(script, args, root =>
        {
            string kernel = root.GetProperty("kernel").GetString()!;
            results[kernel] = new Result(root.GetProperty("seconds").GetDouble(), root.GetProperty("note").GetString() ?? "");
            Console.Error.WriteLine($"  torch {kernel}: {results[kernel].Seconds:F3} s");
        });
        status = failure is null ? $"{PythonBaseline.Interpreter}, torch, {threads} threads" : $"torch baseline not run: {failure}";
        return results;
    }
}
