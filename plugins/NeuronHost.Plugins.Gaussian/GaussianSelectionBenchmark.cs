using System.Diagnostics;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Gaussian;

/// <summary>Greedy Gaussian selection: incremental (ours) vs from-scratch refactorising (Pitfalls'
/// way), side by side in one run on the same Gaussians (all training tokens) and the same MI
/// tokens. Both run the first <c>agreeSteps</c> steps in full (per-step agreement, MI
/// difference, both wall times); the incremental then runs on to <c>steps</c>; the from-scratch
/// side's remaining steps are extrapolated from timed samples of candidates at larger |S| (and the
/// same extrapolation is checked against the measured first steps). Every printed figure says
/// whether it was measured or extrapolated.</summary>
public static class GaussianSelectionBenchmark
{
    /// <summary>IncrementalSeconds covers all the incremental steps; IncrementalAgreeSeconds its first Steps.</summary>
    public sealed record AgreementResult(int Steps, int Agreeing, double MaxMiDifference, double IncrementalSeconds, double IncrementalAgreeSeconds,
        double FromScratchSeconds, IReadOnlyList<SelectionStep> Incremental, IReadOnlyList<SelectionStep> FromScratch);

    public sealed record Result(AgreementResult Agreement, int Steps, double IncrementalSeconds, double FromScratchSecondsMeasuredPlusExtrapolated,
        IReadOnlyList<(int SetSize, double SecondsPerCandidate)> CandidateTimings);

    /// <summary>The whole comparison on one problem (the issue's: ≥ 3,000 neurons, ≥ 50k train tokens).</summary>
    public static Result Run(ProbingData data, IPluginContext context, TextWriter output,
        int steps = 400, int agreeSteps = 50, int evalTokens = 1000, int sampledCandidates = 8, double minSampleSeconds = 3)
    {
        output.WriteLine($"gaussian selection: {data.Train.Tokens} train tokens, {data.Neurons.Count} neurons, {data.ClassCount} classes; " +
                         $"Gaussians from all train tokens; MI on {evalTokens} held-out tokens; {steps} steps ({agreeSteps} of them also from scratch)");
        var sw = Stopwatch.StartNew();
        var stats = new GaussianStatistics(data, context, "gaussian");
        var (x, y, n) = EvaluationRows.Gather(data.Dev ?? data.Train, stats.Active, evalTokens, context.Seed, context.Cancellation);
        output.WriteLine($"  class statistics of the train split: {sw.Elapsed.TotalSeconds:F1} s (shared by both, not counted)");
        output.Flush();

        var agreement = Compare(stats, x, y, n, context, output, agreeSteps, steps);
        var inc = agreement.Incremental;
        double incSeconds = agreement.IncrementalSeconds;

        // from scratch beyond the measured steps: per-candidate cost sampled at |S| on a grid
        var grid = new[] { 1, 10, 25, 50, 100, 200, 300, 400 }.Where(t => t <= Math.Max(steps, agreeSteps) && t <= inc.Count).ToArray();
        var timings = new List<(int T, double Seconds)>();
        var rng = new Random(3);
        foreach (int t in grid)
        {
            var scratch = new FromScratchGaussianSelector(stats, x, y, n);
            foreach (var s in inc.Take(t - 1)) scratch.Add(s.Column, context.Cancellation);
            var cands = Enumerable.Range(0, stats.Features).Where(j => !scratch.Selected.Contains(j)).OrderBy(_ => rng.Next()).ToArray();
            Parallel.ForEach(cands.Take(Environment.ProcessorCount), j => scratch.MutualInformation(j));   // warm-up, not timed
            // batches of candidates until at least minSampleSeconds of wall time (or every candidate)
            int timed = 0;
            sw.Restart();
            while (timed < cands.Length && (timed < sampledCandidates || sw.Elapsed.TotalSeconds < minSampleSeconds))
            {
                var batch = cands.Skip(timed).Take(sampledCandidates).ToArray();
                Parallel.ForEach(batch, new ParallelOptions { CancellationToken = context.Cancellation }, j => scratch.MutualInformation(j));
                timed += batch.Length;
            }
            timings.Add((t, sw.Elapsed.TotalSeconds / timed));
            output.WriteLine($"  from scratch, timed sample: |S∪j| = {t,3}: {timings[^1].Seconds * 1000,9:F2} ms per candidate " +
                             $"(wall / {timed} candidates) → {timings[^1].Seconds * (stats.Features - t + 1),8:F1} s for that step");
            output.Flush();
        }
        double Estimate(int from, int to)
        {
            double e = 0;
            for (int t = from; t <= to; t++) e += Interpolate(timings, t) * (stats.Features - t + 1);
            return e;
        }
        double check = Estimate(1, agreement.Steps);
        output.WriteLine($"  check of the extrapolation: steps 1–{agreement.Steps} from the samples {check:F1} s vs measured {agreement.FromScratchSeconds:F1} s " +
                         $"(ratio {agreement.FromScratchSeconds / check:F2})");
        double rest = Estimate(agreement.Steps + 1, steps);
        double total = agreement.FromScratchSeconds + rest;
        output.WriteLine($"  from scratch, {steps} steps: {agreement.FromScratchSeconds:F1} s measured (steps 1–{agreement.Steps}) + " +
                         $"{rest:F0} s extrapolated (steps {agreement.Steps + 1}–{steps}) = {total:F0} s = {total / 3600:F1} h");
        output.WriteLine($"  incremental, {steps} steps: {incSeconds:F1} s measured ({incSeconds / Math.Max(inc.Count, 1) * 1000:F0} ms/step)");
        output.WriteLine($"  speed-up at {steps} steps ≈ {total / incSeconds:F0}× (from-scratch side partly extrapolated); " +
                         $"at {agreement.Steps} steps {agreement.FromScratchSeconds / agreement.IncrementalAgreeSeconds:F0}× (both measured)");
        return new Result(agreement, steps, incSeconds, total, timings);
    }

    /// <summary>Both selections in full for <paramref name="agreeSteps"/> steps on the same Gaussians and MI
    /// tokens (the incremental one goes on to <paramref name="incrementalSteps"/>); prints every step.</summary>
    public static AgreementResult Compare(GaussianStatistics stats, float[] x, int[] y, int n, IPluginContext context, TextWriter output,
        int agreeSteps, int incrementalSteps)
    {
        var sw = Stopwatch.StartNew();
        double at50 = double.NaN;
        var printer = new StepPrinter(output, sw, agreeSteps, s => at50 = s);
        var (inc, _) = new GreedyGaussianSelector(stats, x, y, n).Select(Math.Max(agreeSteps, incrementalSteps), false, printer, context.Cancellation);
        double incSeconds = sw.Elapsed.TotalSeconds;
        if (double.IsNaN(at50)) at50 = incSeconds;
        output.WriteLine($"  incremental: {inc.Count} steps in {incSeconds:F1} s (measured; first {agreeSteps}: {at50:F1} s)");
        output.WriteLine($"  from scratch, {agreeSteps} steps in full; per step: incremental's neuron / MI (bits), from scratch's neuron / MI, " +
                         "|ΔMI|, from scratch's margin to its runner-up");
        output.Flush();

        sw.Restart();
        var scratch = new FromScratchGaussianSelector(stats, x, y, n);
        int agreeing = 0; bool matching = true; double maxDiff = 0;
        var stepSw = Stopwatch.StartNew();
        var fs = scratch.Select(agreeSteps, context.Cancellation, (t, mi) =>
        {
            int best = -1, second = -1;
            for (int j = 0; j < mi.Length; j++)
            {
                if (double.IsNaN(mi[j])) continue;
                if (best < 0 || mi[j] > mi[best]) { second = best; best = j; }
                else if (second < 0 || mi[j] > mi[second]) second = j;
            }
            double margin = second >= 0 ? mi[best] - mi[second] : double.NaN;
            string line;
            if (t < inc.Count)
            {
                var a = inc[t];
                bool same = a.Column == best;
                if (same && matching) { agreeing++; maxDiff = Math.Max(maxDiff, Math.Abs(a.MutualInformation - mi[best])); }
                line = $"    {t + 1,3}: {a.Column,5} {a.MutualInformation:F6} | {best,5} {mi[best]:F6} | {Math.Abs(a.MutualInformation - mi[best]):E1} | margin {margin:E1}";
                if (!same)
                {
                    line += $"  MISMATCH: from scratch scores the incremental's {a.Column} at {mi[a.Column]:F9}, " +
                            $"{mi[best] - mi[a.Column]:E2} bits below its own choice";
                    matching = false;
                }
            }
            else line = $"    {t + 1,3}: - | {best,5} {mi[best]:F6}";
            output.WriteLine($"{line}  [{stepSw.Elapsed.TotalSeconds:F1} s]");
            output.Flush();
            stepSw.Restart();
        });
        double fsSeconds = sw.Elapsed.TotalSeconds;
        output.WriteLine($"  from scratch: {fs.Count} steps in {fsSeconds:F1} s (measured)");
        output.WriteLine($"  RESULT: same neurons for the first {agreeing} of {agreeSteps} steps" +
                         (agreeing < agreeSteps ? $" (first mismatch at step {agreeing + 1})" : "") +
                         $"; max |ΔMI| over them {maxDiff:E1} bits; {agreeSteps} steps: incremental {at50:F1} s, from scratch {fsSeconds:F1} s " +
                         $"→ speed-up {fsSeconds / at50:F0}× (both measured)");
        output.Flush();
        return new AgreementResult(agreeSteps, agreeing, maxDiff, incSeconds, at50, fsSeconds, inc, fs);
    }

    /// <summary>The per-step comparison alone on a (smaller) problem.</summary>
    public static AgreementResult RunAgreement(ProbingData data, IPluginContext context, TextWriter output, int agreeSteps = 50, int evalTokens = 500)
    {
        var stats = new GaussianStatistics(data, context, "gaussian");
        var (x, y, n) = EvaluationRows.Gather(data.Dev ?? data.Train, stats.Active, evalTokens, context.Seed, context.Cancellation);
        output.WriteLine($"gaussian selection agreement: {data.Train.Tokens} train tokens, {data.Neurons.Count} neurons, " +
                         $"{data.ClassCount} classes, MI on {n} tokens, {agreeSteps} steps in full");
        return Compare(stats, x, y, n, context, output, agreeSteps, agreeSteps);
    }

    private sealed class StepPrinter(TextWriter output, Stopwatch sw, int mark, Action<double> atMark) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value)
        {
            if ((int)value.Done == mark) atMark(sw.Elapsed.TotalSeconds);
            if ((int)value.Done % 50 == 0) { output.WriteLine($"    … incremental: {value.Done} neurons selected, {sw.Elapsed.TotalSeconds:F1} s"); output.Flush(); }
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
