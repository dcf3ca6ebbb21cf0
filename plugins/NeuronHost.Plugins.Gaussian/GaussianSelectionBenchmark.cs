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
    /// <summary>Wall-clock and CPU (all threads of the process) seconds. The machine may be shared,
    /// so both are reported: CPU time is the less load-sensitive of the two.</summary>
    public readonly record struct Cost(double Wall, double Cpu)
    {
        public static Cost operator +(Cost a, Cost b) => new(a.Wall + b.Wall, a.Cpu + b.Cpu);
        public static Cost operator *(Cost a, double f) => new(a.Wall * f, a.Cpu * f);
        public override string ToString() => $"{Wall:F1} s wall / {Cpu:F1} s CPU";
        public string Ratio(Cost baseline) => $"{Wall / baseline.Wall:F0}× wall, {Cpu / baseline.Cpu:F0}× CPU";
    }

    /// <summary>Incremental covers all the incremental steps; IncrementalAgree its first Steps.</summary>
    public sealed record AgreementResult(int Steps, int Agreeing, double MaxMiDifference, Cost Incremental, Cost IncrementalAgree,
        Cost FromScratch, IReadOnlyList<SelectionStep> IncrementalSteps, IReadOnlyList<SelectionStep> FromScratchSteps);

    public sealed record Result(AgreementResult Agreement, int Steps, Cost Incremental, Cost FromScratchMeasuredPlusExtrapolated,
        IReadOnlyList<(int SetSize, Cost PerCandidate)> CandidateTimings);

    private sealed class Clock
    {
        private readonly Stopwatch wall = Stopwatch.StartNew();
        private TimeSpan cpu0 = CpuNow();
        private static TimeSpan CpuNow() { using var p = Process.GetCurrentProcess(); return p.TotalProcessorTime; }
        public void Restart() { wall.Restart(); cpu0 = CpuNow(); }
        public double WallSeconds => wall.Elapsed.TotalSeconds;
        public Cost Elapsed => new(wall.Elapsed.TotalSeconds, (CpuNow() - cpu0).TotalSeconds);
    }

    /// <summary>The whole comparison on one problem (the issue's: ≥ 3,000 neurons, ≥ 50k train tokens).</summary>
    public static Result Run(ProbingData data, IPluginContext context, TextWriter output,
        int steps = 400, int agreeSteps = 50, int evalTokens = 1000, int sampledCandidates = 8, double minSampleSeconds = 3)
    {
        output.WriteLine($"gaussian selection: {data.Train.Tokens} train tokens, {data.Neurons.Count} neurons, {data.ClassCount} classes; " +
                         $"Gaussians from all train tokens; MI on {evalTokens} held-out tokens; {steps} steps ({agreeSteps} of them also from scratch)");
        var sw = new Clock();
        var stats = new GaussianStatistics(data, context, "gaussian");
        var (x, y, n) = EvaluationRows.Gather(data.Dev ?? data.Train, stats.Active, evalTokens, context.Seed, context.Cancellation);
        output.WriteLine($"  class statistics of the train split: {sw.WallSeconds:F1} s (shared by both, not counted)");
        output.Flush();

        var agreement = Compare(stats, x, y, n, context, output, agreeSteps, steps);
        var inc = agreement.IncrementalSteps;
        var incCost = agreement.Incremental;

        // from scratch beyond the measured steps: per-candidate cost sampled at |S| on a grid
        var grid = new[] { 1, 10, 25, 50, 100, 200, 300, 400 }.Where(t => t <= Math.Max(steps, agreeSteps) && t <= inc.Count).ToArray();
        var timings = new List<(int T, Cost PerCandidate)>();
        var rng = new Random(3);
        var scratch = new FromScratchGaussianSelector(stats, x, y, n);
        foreach (int t in grid)
        {
            while (scratch.Selected.Count < t - 1) scratch.Add(inc[scratch.Selected.Count].Column, context.Cancellation);
            var cands = Enumerable.Range(0, stats.Features).Where(j => !scratch.Selected.Contains(j)).OrderBy(_ => rng.Next()).ToArray();
            Parallel.ForEach(cands.Take(Environment.ProcessorCount), j => scratch.MutualInformation(j));   // warm-up, not timed
            // batches of candidates until at least minSampleSeconds of wall time (or every candidate)
            int timed = 0;
            sw.Restart();
            while (timed < cands.Length && (timed < sampledCandidates || sw.WallSeconds < minSampleSeconds))
            {
                var batch = cands.Skip(timed).Take(sampledCandidates).ToArray();
                Parallel.ForEach(batch, new ParallelOptions { CancellationToken = context.Cancellation }, j => scratch.MutualInformation(j));
                timed += batch.Length;
            }
            timings.Add((t, sw.Elapsed * (1.0 / timed)));
            var pc = timings[^1].PerCandidate;
            output.WriteLine($"  from scratch, timed sample: |S∪j| = {t,3}: {pc.Wall * 1000,8:F2} ms wall / {pc.Cpu * 1000,8:F2} ms CPU per candidate " +
                             $"({timed} candidates) → {pc * (stats.Features - t + 1)} for that step");
            output.Flush();
        }
        Cost Estimate(int from, int to)
        {
            var e = new Cost(0, 0);
            for (int t = from; t <= to; t++)
                e += new Cost(Interpolate(timings.Select(p => (p.T, p.PerCandidate.Wall)).ToList(), t),
                              Interpolate(timings.Select(p => (p.T, p.PerCandidate.Cpu)).ToList(), t)) * (stats.Features - t + 1);
            return e;
        }
        var check = Estimate(1, agreement.Steps);
        output.WriteLine($"  check of the extrapolation: steps 1–{agreement.Steps} from the samples {check} vs measured {agreement.FromScratch} " +
                         $"(measured / extrapolated: {agreement.FromScratch.Wall / check.Wall:F2} wall, {agreement.FromScratch.Cpu / check.Cpu:F2} CPU)");
        var rest = Estimate(agreement.Steps + 1, steps);
        var total = agreement.FromScratch + rest;
        output.WriteLine($"  from scratch, {steps} steps: measured {agreement.FromScratch} (steps 1–{agreement.Steps}) + " +
                         $"extrapolated {rest} (steps {agreement.Steps + 1}–{steps}) = {total} = {total.Wall / 3600:F1} h wall");
        output.WriteLine($"  incremental, {steps} steps: measured {incCost} ({incCost.Wall / Math.Max(inc.Count, 1) * 1000:F0} ms/step wall)");
        output.WriteLine($"  SPEED-UP at {steps} steps ≈ {total.Ratio(incCost)} (from-scratch side: {agreement.Steps} steps measured, the rest extrapolated); " +
                         $"at {agreement.Steps} steps {agreement.FromScratch.Ratio(agreement.IncrementalAgree)} (both measured)");
        return new Result(agreement, steps, incCost, total, timings);
    }

    /// <summary>Both selections in full for <paramref name="agreeSteps"/> steps on the same Gaussians and MI
    /// tokens (the incremental one goes on to <paramref name="incrementalSteps"/>); prints every step.</summary>
    public static AgreementResult Compare(GaussianStatistics stats, float[] x, int[] y, int n, IPluginContext context, TextWriter output,
        int agreeSteps, int incrementalSteps)
    {
        var sw = new Clock();
        Cost? atAgree = null;
        var printer = new StepPrinter(output, sw, agreeSteps, s => atAgree = s);
        var (inc, _) = new GreedyGaussianSelector(stats, x, y, n).Select(Math.Max(agreeSteps, incrementalSteps), false, printer, context.Cancellation);
        var incCost = sw.Elapsed;
        var at50 = atAgree ?? incCost;
        output.WriteLine($"  incremental: {inc.Count} steps in {incCost} (measured; first {agreeSteps}: {at50})");
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
        var fsCost = sw.Elapsed;
        output.WriteLine($"  from scratch: {fs.Count} steps in {fsCost} (measured)");
        output.WriteLine($"  RESULT: same neurons for the first {agreeing} of {agreeSteps} steps" +
                         (agreeing < agreeSteps ? $" (first mismatch at step {agreeing + 1})" : "") +
                         $"; max |ΔMI| over them {maxDiff:E1} bits; {agreeSteps} steps: incremental {at50}, from scratch {fsCost} " +
                         $"→ speed-up {fsCost.Ratio(at50)} (both measured)");
        output.Flush();
        return new AgreementResult(agreeSteps, agreeing, maxDiff, incCost, at50, fsCost, inc, fs);
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

    private sealed class StepPrinter(TextWriter output, Clock sw, int mark, Action<Cost> atMark) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value)
        {
            if ((int)value.Done == mark) atMark(sw.Elapsed);
            if ((int)value.Done % 50 == 0) { output.WriteLine($"    … incremental: {value.Done} neurons selected, {sw.Elapsed}"); output.Flush(); }
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
