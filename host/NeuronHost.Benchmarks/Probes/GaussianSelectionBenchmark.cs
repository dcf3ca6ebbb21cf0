using NeuronHost.Plugins.Gaussian;
using System.Diagnostics;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.Probes;

/// <summary>Greedy Gaussian selection: incremental (ours) vs from-scratch refactorising (Pitfalls'
/// way), side by side in one run on the same Gaussians (all training tokens) and the same MI
/// tokens, both for every one of <c>steps</c> steps: per-step agreement, MI difference, both wall
/// and CPU times. Nothing is extrapolated.</summary>
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

    public sealed record Result(AgreementResult Agreement, int Steps, Cost Incremental, Cost FromScratch)
    {
        public double WallSpeedUp => FromScratch.Wall / Incremental.Wall;
        public double CpuSpeedUp => FromScratch.Cpu / Incremental.Cpu;
    }

    private sealed class Clock
    {
        private readonly Stopwatch wall = Stopwatch.StartNew();
        private TimeSpan cpu0 = CpuNow();
        private static TimeSpan CpuNow() { using var p = Process.GetCurrentProcess(); return p.TotalProcessorTime; }
        public void Restart() { wall.Restart(); cpu0 = CpuNow(); }
        public double WallSeconds => wall.Elapsed.TotalSeconds;
        public Cost Elapsed => new(wall.Elapsed.TotalSeconds, (CpuNow() - cpu0).TotalSeconds);
    }

    /// <summary>The whole comparison on one problem: both selectors run all <paramref name="steps"/> steps.</summary>
    public static Result Run(ProbingData data, IPluginContext context, TextWriter output, int steps = 120, int evalTokens = 300)
    {
        output.WriteLine($"gaussian selection: {data.Train.Tokens} train tokens, {data.Neurons.Count} neurons, {data.ClassCount} classes; " +
                         $"Gaussians from all train tokens; MI on {evalTokens} held-out tokens; {steps} steps, both selectors in full; load average {Harness.LoadAverage.Now()}");
        var sw = new Clock();
        var stats = new GaussianStatistics(data, context, "gaussian");
        var (x, y, n) = EvaluationRows.Gather(data.Dev ?? data.Train, stats.Active, evalTokens, context.Seed, context.Cancellation);
        output.WriteLine($"  class statistics of the train split: {sw.WallSeconds:F1} s (shared by both, not counted)");
        output.Flush();
        var agreement = Compare(stats, x, y, n, context, output, steps, steps);
        var result = new Result(agreement, steps, agreement.IncrementalAgree, agreement.FromScratch);
        output.WriteLine($"  SPEED-UP at {steps} steps: {result.WallSpeedUp:F1}× wall, {result.CpuSpeedUp:F1}× CPU (both measured over all {steps} steps, " +
                         $"from scratch {agreement.FromScratch}, incremental {agreement.IncrementalAgree}); load average {Harness.LoadAverage.Now()}");
        return result;
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
}
