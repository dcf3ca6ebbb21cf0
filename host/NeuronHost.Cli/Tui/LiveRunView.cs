using NeuronHost.Core.Config;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Reports;
using NeuronHost.Sdk;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NeuronHost.Cli.Tui;

/// <summary>The live view while the pipeline runs: one progress bar per stage with rate and ETA,
/// the plugins' own steps while they run, and the last log lines, sized to the terminal on every
/// redraw. Ctrl+C cancels; the pipeline then writes the finished results and returns them.</summary>
public sealed class LiveRunView(IAnsiConsole console, AnalysisPipeline pipeline)
{
    private readonly ProgressTracker tracker = new();

    public RunResults Run(AnalysisConfig config)
    {
        var stages = AnalysisPipeline.StageNames(config);
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var work = Task.Run(() => pipeline.Run(config, new CallbackProgress<ProgressReport>(r => tracker.Update(r)), cts.Token));
            string title = $"{config.Task.Name} in {Path.GetFileName(config.ModelDir.TrimEnd('/'))}";
            console.Live(Render(stages, title, cts.IsCancellationRequested))
                .AutoClear(false).Overflow(VerticalOverflow.Crop).Cropping(VerticalOverflowCropping.Top)
                .Start(ctx =>
                {
                    while (!work.Wait(150))
                    {
                        ctx.UpdateTarget(Render(stages, title, cts.IsCancellationRequested));
                    }
                    ctx.UpdateTarget(Render(stages, title, cts.IsCancellationRequested));
                });
            return work.GetAwaiter().GetResult();
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }

    private IRenderable Render(IReadOnlyList<string> stages, string title, bool cancelling)
    {
        int width = Math.Max(40, TerminalSize.Width - 1), height = Math.Max(10, TerminalSize.Height - 1);
        var progress = tracker.Snapshot();
        var rows = new List<IRenderable>
        {
            new Markup($"[bold]NeuronHost[/] · {Markup.Escape(SetupWizard.Shorten(title, width - 40))} · " +
                (cancelling ? "[yellow]cancelling…[/]" : "[grey]Ctrl+C cancels, keeps finished results[/]")),
        };
        // Pipeline stages in order, then plugin sub-steps that are still running (at most 3).
        var shown = stages.Select(s => (Name: s, P: progress.FirstOrDefault(p => p.Stage == s), Sub: false)).ToList();
        shown.AddRange(progress.Where(p => !stages.Contains(p.Stage) && !p.Finished).TakeLast(3).Select(p => (p.Stage, (ProgressTracker.StageProgress?)p, true))!);
        int nameWidth = Math.Min(24, width / 4), barWidth = Math.Max(8, width - nameWidth - 40);
        foreach (var (name, p, sub) in shown)
            rows.Add(new Markup(Line(name, p, sub, nameWidth, barWidth)));
        rows.Add(new Rule("[grey]log[/]").LeftJustified());
        int logLines = Math.Max(1, height - rows.Count - 1);
        foreach (var (level, message) in pipeline.Log.Lines.TakeLast(logLines))
            rows.Add(new Markup((level == LogLevel.Warn ? "[yellow]" : "[grey]") + Markup.Escape(SetupWizard.Shorten(message, width - 1)) + "[/]"));
        return new Rows(rows);
    }

    private static string Line(string name, ProgressTracker.StageProgress? p, bool sub, int nameWidth, int barWidth)
    {
        string label = Markup.Escape(SetupWizard.Shorten((sub ? "  " : "") + name, nameWidth).PadRight(nameWidth));
        if (p is null) return $"[grey]{label} {new string('·', barWidth)}   waiting[/]";
        int filled = (int)Math.Round(p.Fraction * barWidth);
        string color = p.Finished ? "green" : sub ? "blue" : "yellow";
        string bar = $"[{color}]{new string('━', filled)}[/][grey]{new string('─', barWidth - filled)}[/]";
        string amount = $"{ProgressTracker.FormatCount(p.Done)}/{ProgressTracker.FormatCount(p.Total)} {p.Unit}";
        string tail = p.Finished ? $"done {ProgressTracker.FormatDuration(p.Elapsed)}"
            : (p.Rate > 0 ? $"{ProgressTracker.FormatCount(p.Rate)}/s" : "") + (p.Eta is { } e ? $" ETA {ProgressTracker.FormatDuration(e)}" : "");
        return $"{label} {bar} {p.Fraction * 100,3:0}% {Markup.Escape(SetupWizard.Shorten(amount, 18))} [grey]{Markup.Escape(tail)}[/]";
    }
}
