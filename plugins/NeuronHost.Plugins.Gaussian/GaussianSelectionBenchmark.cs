using System.Diagnostics;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Gaussian;

/// <summary>Greedy Gaussian selection: incremental (ours) vs from-scratch refactorising (Pitfalls'
/// way), side by side. The from-scratch run is timed on whole early steps and on samples of
/// candidates at larger |S|; its full 400-step time is extrapolated from those per-candidate
/// costs (interpolated in |S|), and is labelled as such. Agreement: the first steps of both on
/// the big problem, and the first <c>agreeSteps</c> on a smaller one.</summary>
public static class GaussianSelectionBenchmark
{
    public sealed record Result(double IncrementalSeconds, double FromScratchSecondsEstimated, int AgreeingSteps, int ComparedSteps,
        int SmallAgreeing, int SmallCompared, double SmallIncrementalSeconds, double SmallFromScratchSeconds);

    public static Result Run(ProbingData big, ProbingData small, IPluginContext context, TextWriter output,
        int steps = 400, int evalTokens = 2000, int bigAgreeSteps = 3, int agreeSteps = 50, int smallEvalTokens = 500)
    {
        output.WriteLine($"gaussian selection: {big.Train.Tokens} train tokens, {big.Neurons.Count} neurons, {big.ClassCount} classes; " +
                         $"MI on {evalTokens} dev tokens; {steps} steps");
        var stats = new GaussianStatistics(big, context, "gaussian");
        var (x, y, n) = EvaluationRows.Gather(big.Dev ?? big.Train, stats.Active, evalTokens, context.Seed, context.Cancellation);
        var sw = Stopwatch.StartNew();
        var printer = new StepPrinter(output, sw);
        var (inc, _) = new GreedyGaussianSelector(stats, x, y, n).Select(steps, false, printer, context.Cancellation);
        double incSeconds = sw.Elapsed.TotalSeconds;
        output.WriteLine($"  incremental: {incSeconds:F1} s for {inc.Count} neurons ({incSeconds / Math.Max(inc.Count, 1) * 1000:F0} ms/step)");

        // from scratch on the big problem: whole first steps, then per-candidate samples
        var scratch = new FromScratchGaussianSelector(stats, x, y, n);
        sw.Restart();
        var early = scratch.Select(bigAgreeSteps, context.Cancellation);
        double earlySeconds = sw.Elapsed.TotalSeconds;
        int agree = 0;
        while (agree < early.Count && early[agree].Column == inc[agree].Column) agree++;
        output.WriteLine($"  from scratch: first {bigAgreeSteps} steps took {earlySeconds:F1} s; same neurons as incremental for the first {agree}");
        var probes = new[] { 1, 10, 25, 50, 100, 200, 400 }.Where(t => t <= steps).ToArray();
        var perCandidate = new List<(int T, double Seconds)>();
        var rng = new Random(3);
        foreach (int t in probes)
        {
            var sel = new List<int>();
            foreach (var s in inc.Take(t - 1)) scratch.Add(sel, s.Column);
            var cands = Enumerable.Range(0, big.Neurons.Count).Where(j => !sel.Contains(j)).OrderBy(_ => rng.Next()).Take(Math.Max(2, Environment.ProcessorCount * 2)).ToArray();
            sw.Restart();
            Parallel.ForEach(cands, j => scratch.MutualInformation(sel, j));
            perCandidate.Add((t, sw.Elapsed.TotalSeconds / cands.Length));
            output.WriteLine($"  from scratch: |S| = {t,3}: {perCandidate[^1].Seconds * 1000:F1} ms per candidate (wall, {cands.Length} sampled)");
        }
        double estimate = 0;
        for (int t = 1; t <= steps; t++) estimate += Interpolate(perCandidate, t) * (big.Neurons.Count - t + 1);
        output.WriteLine($"  from scratch, {steps} steps (extrapolated from the timings above): {estimate:F0} s = {estimate / 3600:F1} h");
        output.WriteLine($"  speed-up ≈ {estimate / incSeconds:F0}×");

        var (sAgree, sIncSeconds, sScratchSeconds) = RunAgreement(small, context, output, agreeSteps, smallEvalTokens);
        return new Result(incSeconds, estimate, agree, early.Count, sAgree, agreeSteps, sIncSeconds, sScratchSeconds);
    }

    /// <summary>The first <paramref name="agreeSteps"/> of both selections in full on a (smaller) problem:
    /// how many leading neurons agree, and both times.</summary>
    public static (int Agreeing, double IncrementalSeconds, double FromScratchSeconds) RunAgreement(ProbingData small, IPluginContext context,
        TextWriter output, int agreeSteps = 50, int evalTokens = 500)
    {
        var sw = Stopwatch.StartNew();
        var sStats = new GaussianStatistics(small, context, "gaussian");
        var (sx, sy, sn) = EvaluationRows.Gather(small.Dev ?? small.Train, sStats.Active, evalTokens, context.Seed, context.Cancellation);
        sw.Restart();
        var sInc = new GreedyGaussianSelector(sStats, sx, sy, sn).Select(agreeSteps, false, null, context.Cancellation).Steps;
        double sIncSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var sScratch = new FromScratchGaussianSelector(sStats, sx, sy, sn).Select(agreeSteps, context.Cancellation);
        double sScratchSeconds = sw.Elapsed.TotalSeconds;
        int sAgree = 0;
        while (sAgree < Math.Min(sInc.Count, sScratch.Count) && sInc[sAgree].Column == sScratch[sAgree].Column) sAgree++;
        double maxMiDiff = sInc.Zip(sScratch).Take(sAgree).Select(p => Math.Abs(p.First.MutualInformation - p.Second.MutualInformation)).DefaultIfEmpty(0).Max();
        output.WriteLine($"  smaller problem ({small.Train.Tokens} train tokens, {small.Neurons.Count} neurons, MI on {sn} tokens), {agreeSteps} steps in full:");
        output.WriteLine($"    incremental {sIncSeconds:F1} s, from scratch {sScratchSeconds:F1} s ({sScratchSeconds / sIncSeconds:F0}×); " +
                         $"same neurons for the first {sAgree} of {agreeSteps}; max MI difference {maxMiDiff:E1} bits");
        return (sAgree, sIncSeconds, sScratchSeconds);
    }

    private sealed class StepPrinter(TextWriter output, Stopwatch sw) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value)
        {
            if ((int)value.Done % 50 == 0) output.WriteLine($"    … {value.Done} neurons selected, {sw.Elapsed.TotalSeconds:F0} s");
        }
    }

    private static double Interpolate(List<(int T, double Seconds)> points, int t)
    {
        if (t <= points[0].T) return points[0].Seconds;
        for (int i = 1; i < points.Count; i++)
            if (t <= points[i].T)
            {
                var (t0, s0) = points[i - 1]; var (t1, s1) = points[i];
                return s0 + (s1 - s0) * (t - t0) / (t1 - t0);
            }
        var (ta, sa) = points[^2]; var (tb, sb) = points[^1];   // beyond the last sample: extend the last slope
        return sb + (sb - sa) * (t - tb) / (tb - ta);
    }
}
