using NeuronHost.Core.Pipeline;

namespace NeuronHost.Cli.Tui.Models;

/// <summary>One row of the Run view: a pipeline stage (or a plugin's own step while it runs)
/// with its fraction done and the text beside its bar — amount, rate, ETA or time taken.</summary>
public sealed record StageLine(string Name, double Fraction, string Detail, StageState State)
{
    /// <summary>The pipeline's stages in order (waiting ones included), then the plugins' steps
    /// that are still running (at most <paramref name="maxSubSteps"/>).</summary>
    public static List<StageLine> From(IReadOnlyList<string> stages, IReadOnlyList<ProgressTracker.StageProgress> progress, int maxSubSteps = 3)
    {
        var lines = stages.Select(s => Line(s, progress.FirstOrDefault(p => p.Stage == s), sub: false)).ToList();
        // The current stage is the last one that has started and not finished.
        lines.AddRange(progress.Where(p => !stages.Contains(p.Stage) && !p.Finished).TakeLast(maxSubSteps).Select(p => Line(p.Stage, p, sub: true)));
        return lines;
    }

    private static StageLine Line(string name, ProgressTracker.StageProgress? p, bool sub)
    {
        string label = sub ? "  " + name : name;
        if (p is null) return new(label, 0, "waiting", StageState.Waiting);
        string amount = $"{ProgressTracker.FormatCount(p.Done)}/{ProgressTracker.FormatCount(p.Total)} {p.Unit}";
        if (p.Finished) return new(label, 1, $"{amount}, done in {ProgressTracker.FormatDuration(p.Elapsed)}", StageState.Done);
        string rate = p.Rate > 0 ? $", {ProgressTracker.FormatCount(p.Rate)} {p.Unit}/s" : "";
        string eta = p.Eta is { } e ? $", ETA {ProgressTracker.FormatDuration(e)}" : "";
        return new(label, p.Fraction, $"{p.Fraction * 100:0}% {amount}{rate}{eta}", sub ? StageState.SubStep : StageState.Running);
    }
}

public enum StageState { Waiting, Running, SubStep, Done }
