using System.Globalization;
using System.Text;
using NeuronHost.Benchmarks.Forward;
using NeuronHost.Benchmarks.Harness;
using NeuronHost.Benchmarks.KernelTable;
using NeuronHost.Benchmarks.Probes;
using NeuronHost.Benchmarks.Store;

namespace NeuronHost.Benchmarks.Goals;

/// <summary>A forward measured by <c>bench all</c>, with the speed it was asked to reach (×
/// PyTorch at its best setting) and the words for that goal. <paramref name="MemoryAndRateGoals"/>:
/// the issue also asks this checkpoint for peak RSS ≤ PyTorch's and ≥ 60% of the SGEMM rate (its
/// GPT-2-small row).</summary>
internal sealed record ForwardGoal(string Label, ForwardBenchmarkResult Result, double SpeedGoal, string GoalText, bool MemoryAndRateGoals = false);

/// <summary>What one <c>bench all</c> run measured, for its goals table.</summary>
internal sealed class MeasuredFigures
{
    public IReadOnlyList<KernelFigure> Kernels { get; set; } = [];
    public List<ForwardGoal> Forwards { get; } = [];
    public LoadBenchmarkResult? Load { get; set; }
    public IReadOnlyList<LinearProbeBenchmark.Result> Probes { get; set; } = [];
    public GaussianSelectionBenchmark.Result? Gaussian { get; set; }
    public StoreBenchResult? Store { get; set; }
    /// <summary>The memory the process may use (the machine's, or its cgroup's limit).</summary>
    public long MemoryBytes { get; set; }
}

/// <summary>One goal of issue #19 against this run's figure. Met is null when the run cannot tell
/// (the figure was not measured). Profile: for a missed goal, what the parts timed alone in the same
/// rounds show about where the time goes.</summary>
internal sealed record GoalRow(string Figure, string Measured, string Goal, bool? Met, string Profile);

/// <summary>The goals of issue #19 (the table "where it should be"), each judged by the figures
/// of the same run — never by figures typed in by hand.</summary>
internal static class IssueGoals
{
    private const double GiB = 1 << 30;
    private const long TwoGiB = 2L << 30;

    public static IReadOnlyList<GoalRow> Rows(MeasuredFigures f)
    {
        var rows = new List<GoalRow>();
        foreach (var g in f.Forwards) rows.AddRange(Forward(g));
        if (f.Load is { } load) rows.AddRange(Load(load));
        rows.AddRange(Kernels(f.Kernels));
        foreach (var p in f.Probes)
            rows.Add(new GoalRow($"linear probe vs NeuroX's Adam: {p.Task}",
                Inv($"{p.SpeedUp:F1}× (round by round {p.RoundSpeedUp.Describe("F1", "×")}), dev {Signed(p.DevDifferencePoints)} pt against Adam at {p.TorchThreads}"),
                "≥ 5× at ≥ −0.5 pt dev accuracy", p.MeetsTarget, p.MeetsTarget ? "" : ProbeProfile(p)));
        if (f.Gaussian is { } gs)
            rows.Add(new GoalRow("Gaussian selection, incremental vs from scratch",
                Inv($"{gs.WallSpeedUp:F1}× wall, {gs.CpuSpeedUp:F1}× CPU over {gs.Steps} steps, both selectors run in full; same neuron at {gs.Agreement.Agreeing} of {gs.Agreement.Steps} steps"),
                "measured, not extrapolated, to 100+ steps", gs.Steps >= 100 && gs.Agreement.Agreeing == gs.Agreement.Steps, ""));
        if (f.Store is { } st)
        {
            bool larger = st.StoreBytes > f.MemoryBytes;
            string size = Inv($"store {st.StoreBytes / GiB:F1} GiB on {f.MemoryBytes / GiB:F1} GiB of memory");
            string cannot = larger ? "" : "the store was not larger than memory, so this run cannot tell";
            string held = st.StartRssBytes > 0 ? Inv($" (the process held {st.StartRssBytes / GiB:F2} GiB when the benchmark began)") : "";
            rows.Add(new GoalRow("store larger than memory: writing it", Inv($"{size}; peak RSS {st.PeakRssWriteBytes / GiB:F2} GiB{held}"),
                "peak RSS ≤ 2 GiB", larger ? st.PeakRssWriteBytes <= TwoGiB : null, cannot));
            rows.Add(new GoalRow("store larger than memory: class moments streamed over it",
                Inv($"{size}; peak RSS {st.PeakRssMomentsBytes / GiB:F2} GiB{held}, the moments at {st.StoreBytes / GiB / st.MomentsSeconds:F2} GiB/s{(st.PeakWasReset ? "" : " (process lifetime peak)")}"),
                "peak RSS ≤ 2 GiB", larger ? st.PeakRssMomentsBytes <= TwoGiB : null, cannot));
        }
        return rows;
    }

    /// <summary>Where a probe that missed spent its time: when it first reached Adam's final dev
    /// accuracy − 0.5 pt, and what its remaining iterations bought.</summary>
    private static string ProbeProfile(LinearProbeBenchmark.Result p)
    {
        string reached = p.ToTheirAccuracy is { } t && p.SpeedUpToTheirAccuracy is { } su
            ? Inv($"ours reached Adam's dev accuracy − 0.5 pt at iteration {t.Iteration} ({t.Seconds:F2} s, {su:F1}× faster than Adam got there)")
            : "ours never reached Adam's dev accuracy − 0.5 pt";
        return reached + Inv($"; its {p.Ours.Iterations} iterations in all took {p.Ours.Seconds:F2} s for {Signed(p.DevDifferencePoints)} pt dev over Adam's {p.TheirSeconds:F2} s");
    }

    private static IEnumerable<GoalRow> Forward(ForwardGoal g)
    {
        var r = g.Result;
        if (r.SpeedUp is not { } speed || r.Torch is not { } torch)
        {
            yield return new GoalRow($"forward, {g.Label}", $"PyTorch not measured: {r.TorchProblem}", g.GoalText, null, "");
            yield break;
        }
        string profile = "";
        if (r.OursOverFloor is { } floorShare && r.Floor is { } floor)
        {
            double need = torch.Median / g.SpeedGoal / floor.Median;
            profile = Inv($"the weight products alone (the SGEMM floor, same rounds) take {P(1 / floorShare.Median)} of our time; ") +
                      Inv($"{g.SpeedGoal:0.##}× PyTorch would need {P(need)} of the floor's time") +
                      (need <= 1 ? ": no forward through this BLAS can reach it" : Inv($", so {P(1 - need * floor.Median / r.Ours.Median)} of our time would have to go"));
        }
        bool met = speed.Median >= g.SpeedGoal;
        yield return new GoalRow($"forward, {g.Label}", Inv($"{speed.Describe("F2", "×")} PyTorch at {r.TorchThreads}"), g.GoalText, met, met ? "" : profile);
        if (g.MemoryAndRateGoals && r.OursPeakRss > 0 && r.TorchPeakRss > 0)
            yield return new GoalRow($"peak RSS, {g.Label}", Inv($"ours {r.OursPeakRss / GiB:F2} GiB, PyTorch {r.TorchPeakRss / GiB:F2} GiB ({(double)r.OursPeakRss / r.TorchPeakRss:F2}×)"),
                "≤ PyTorch's", r.OursPeakRss <= r.TorchPeakRss, "");
        if (r.OursOverFloor is { } of && g.MemoryAndRateGoals)
            yield return new GoalRow($"forward, {g.Label}: share of the SGEMM rate", Inv($"{P(1 / of.Median)} (the floor's time ÷ ours, {P(1 / of.Max)}–{P(1 / of.Min)})"),
                "≥ 60% of the SGEMM rate measured in the same run", 1 / of.Median >= 0.6, "");
        if (r.MaxLogitDifference is { } diff)
            yield return new GoalRow($"logits, {g.Label}", Inv($"max |Δlogit| vs PyTorch {diff:E1}"), "within 1e-4", diff <= 1e-4, "");
    }

    private static IEnumerable<GoalRow> Load(LoadBenchmarkResult l)
    {
        if (l.SpeedUp is { } s)
            yield return new GoalRow($"{l.Model} ({l.DType}) checkpoint load", Inv($"{s.Describe("F2", "×")} PyTorch's speed"), "≥ 1× PyTorch", s.Median >= 1, "");
        double over = (double)l.OursPeakRss / l.Float32Bytes - 1;
        yield return new GoalRow($"{l.Model} ({l.DType}) load: peak RSS", Inv($"{l.OursPeakRss / GiB:F2} GiB, {over:+0%;-0%} against the float32 weights ({l.Float32Bytes / GiB:F2} GiB)"),
            "≤ float32 size + 10%", over <= 0.10, "");
    }

    private static IEnumerable<GoalRow> Kernels(IReadOnlyList<KernelFigure> kernels)
    {
        (string Kernel, double Goal, string Remainder)[] readGoals =
        [
            ("class moments", 0.60, "picking each row's class accumulators"),
            ("top activating rows", 0.50, "the heap offers of k > 1"),
            ("histograms (2 passes)", 0.50, "pass 2, counting every value into its bin"),
        ];
        foreach (var (kernel, goal, remainder) in readGoals)
        {
            if (kernels.FirstOrDefault(k => k.Kernel == kernel) is not { OfLimit: { } share } k) continue;
            bool met = share.Median >= goal;
            string profile = met ? "" : Inv($"{100 * (goal - share.Median):F0} points short") + (k.Profile is not { } p ? ""
                : Inv($"; {p.Label} takes {P(p.OfOurs.Median)} of our time ({P(p.OfOurs.Min)}–{P(p.OfOurs.Max)}), the other {P(1 - p.OfOurs.Median)} is {remainder}"));
            yield return new GoalRow($"{kernel}, {k.Size}", Inv($"{TableRunner.Pct(share)} of read bandwidth"), Inv($"≥ {P(goal)} of read bandwidth"), met, profile);
        }
        if (kernels.FirstOrDefault(k => k.Kernel == "masked edit, scattered") is { VsNaive: { } naive } e)
        {
            bool met = naive.Median >= 2;
            // twice the naive loop's speed is our rate × 2 / (ours ÷ naive), against the same limit
            string profile = met || e.OfLimit is not { } bw ? ""
                : Inv($"ours runs at {P(bw.Median)} of read+write bandwidth over the rows it touches; 2× the naive loop would need {P(bw.Median * 2 / naive.Median)} of it");
            yield return new GoalRow($"masked edit, scattered, {e.Size}", Inv($"{naive.Describe("F2", "×")} the naive loop"), "≥ 2× the naive loop", met, profile);
        }
    }

    /// <summary>The table, with a count of the goals met first.</summary>
    public static string Markdown(IReadOnlyList<GoalRow> rows)
    {
        var md = new StringBuilder();
        int met = rows.Count(r => r.Met == true), missed = rows.Count(r => r.Met == false), unknown = rows.Count(r => r.Met is null);
        md.AppendLine(Inv($"{met} of {rows.Count} goals met, {missed} missed{(unknown > 0 ? $", {unknown} not measured in this run" : "")}. ") +
                      "Every verdict below is computed from the figures of this run (medians of the rounds); " +
                      "for a missed goal, the last column says by how much, from parts of the work timed alone in the same rounds.");
        md.AppendLine();
        md.AppendLine("| figure | this run | goal (issue #19) | verdict | where the time goes |");
        md.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var r in rows)
            md.AppendLine($"| {r.Figure} | {r.Measured} | {r.Goal} | {(r.Met is null ? "cannot tell" : r.Met.Value ? "met" : "**missed**")} | {(r.Profile.Length > 0 ? r.Profile : "—")} |");
        return md.ToString();
    }

    private static string P(double fraction) => (100 * fraction).ToString("F0", CultureInfo.InvariantCulture) + "%";
    private static string Signed(double v) => v.ToString("+0.00;-0.00", CultureInfo.InvariantCulture);
    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
