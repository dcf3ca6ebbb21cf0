using System.Diagnostics;

namespace NeuronHost.Kernels.Benchmarks.Table;

internal static class Timing
{
    /// <summary>Best wall time of <paramref name="reps"/> runs (the first run warms up code and pages).</summary>
    public static double Best(int reps, Action run)
    {
        double best = double.MaxValue;
        for (int i = 0; i < Math.Max(1, reps); i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
