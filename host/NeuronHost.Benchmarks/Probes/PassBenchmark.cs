using NeuronHost.Plugins.Linear;
using System.Diagnostics;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.Probes;

/// <summary>One training pass (logits X·W, softmax, gradient Xᵀ·R) timed three ways in one run: our
/// fused kernels on the raw rows, the same pass as two calls of the backend's SGEMM on a
/// standardised copy (what the probe did before), and the machine's SGEMM peak as the limit.</summary>
public static class PassBenchmark
{
    public sealed record Result(double OursMs, double SgemmPassMs, double UsefulGflop)
    {
        public double OursGflops => UsefulGflop / (OursMs / 1e3);
        public double SgemmGflops => UsefulGflop / (SgemmPassMs / 1e3);
    }

    public static Result Run(float[] x, int rows, int features, int[] labels, int classes, IComputeKernels kernels,
        double sgemmPeakGflops, TextWriter output, int repeats = 7)
    {
        int valid = labels.Count(l => l >= 0);
        var (mean, invStd) = ElasticNetTrainer.ColumnMoments(x, rows, features);
        var problem = new SoftmaxObjective(x, rows, features, classes, labels, valid, mean, invStd, new ElasticNetOptions());
        var rng = new Random(5);
        var w = new float[features * classes];
        for (int k = 0; k < w.Length; k++) w[k] = (float)(rng.NextDouble() - 0.5) * 0.02f;
        var b = new float[classes]; var gw = new float[w.Length]; var gb = new float[classes];
        double ours = Median(repeats, () => problem.ValueAndGradient(w, b, gw, gb));

        // the baseline: a standardised copy (made outside the timing) and two SGEMM calls per pass
        var standardised = new float[x.Length];
        Parallel.For(0, rows, i =>
        {
            for (int j = 0; j < features; j++)
                standardised[(long)i * features + j] = (x[(long)i * features + j] - mean[j]) * invStd[j];
        });
        var z = new float[(long)rows * classes];
        double sgemm = Median(repeats, () =>
        {
            kernels.Sgemm(false, false, rows, classes, features, 1f, standardised, features, w, classes, 0f, z, classes);
            problem.SmoothValue(z, w, z);   // softmax and residual, in place
            kernels.Sgemm(true, false, features, classes, rows, 1f, standardised, features, z, classes, 0f, gw, classes);
        });
        double useful = 2 * 2.0 * rows * features * classes / 1e9;
        var result = new Result(ours, sgemm, useful);
        output.WriteLine($"  one pass ({rows} × {features} × {classes}, {useful:F2} GFLOP): fused kernels {ours:F1} ms = {result.OursGflops:F1} GFLOP/s " +
                         $"({result.OursGflops / sgemmPeakGflops:P0} of SGEMM peak {sgemmPeakGflops:F1}); " +
                         $"{kernels.Backend} SGEMM ×2 {sgemm:F1} ms = {result.SgemmGflops:F1} GFLOP/s → {sgemm / ours:F1}× faster");
        return result;
    }

    private static double Median(int repeats, Action pass)
    {
        pass();   // warm-up
        var times = new List<double>();
        for (int r = 0; r < Math.Max(1, repeats); r++)
        {
            var sw = Stopwatch.StartNew();
            pass();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
