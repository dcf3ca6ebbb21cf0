using System.Collections.ObjectModel;
using NeuronHost.Cli.Tui.Models;
using NeuronHost.Core.Pipeline;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>The Run view: one progress bar per pipeline stage (and the plugins' own steps while
/// they run) with rate and ETA, the current stage marked, and the run's log including the
/// plugins' lines. It only draws; <see cref="RunSession"/> owns the run.</summary>
public sealed class RunView : View
{
    private const int SubSteps = 3;
    private readonly FrameView stagesFrame = PlainText.Of(new FrameView { X = 0, Y = 0, Width = Dim.Fill() });
    private readonly List<(Label Name, ProgressBar Bar, Label Detail)> rows = [];
    /// <summary>Shown during a cluster run only: one line per silo (<see cref="ClusterPanel"/>).</summary>
    private readonly FrameView clusterFrame = PlainText.Of(new FrameView { X = 0, Width = Dim.Fill(), Height = 3, Visible = false });
    private readonly ListView clusterLines = PlainText.Of(new ListView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() });
    private readonly ObservableCollection<string> clusterItems = [];
    private readonly FrameView logFrame = new() { Title = "Log", X = 0, Width = Dim.Fill(), Height = Dim.Fill(1) };
    private readonly ListView log = new() { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly ObservableCollection<string> logLines = [];
    private readonly Label state = PlainText.Of(new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(18), Text = "" });
    public Button CancelButton { get; } = new() { Text = "Cancel (Ctrl+C)", X = Pos.AnchorEnd(), Y = Pos.AnchorEnd(1) };

    public RunView(IReadOnlyList<string> stages, string title)
    {
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;
        stagesFrame.Title = "Progress · " + title;
        stagesFrame.Height = stages.Count + SubSteps + 2;
        for (int i = 0; i < stages.Count + SubSteps; i++)
        {
            var name = PlainText.Of(new Label { X = 0, Y = i, Width = 24, Text = i < stages.Count ? "  " + stages[i] : "" });
            var bar = new ProgressBar { X = 24, Y = i, Width = Dim.Fill(44), Height = 1, Visible = i < stages.Count };
            var detail = PlainText.Of(new Label { X = Pos.AnchorEnd(43), Y = i, Width = 43, Text = "" });
            rows.Add((name, bar, detail));
            stagesFrame.Add(name, bar, detail);
        }
        clusterFrame.Y = Pos.Bottom(stagesFrame);
        clusterLines.SetSource(clusterItems);
        clusterFrame.Add(clusterLines);
        logFrame.Y = Pos.Bottom(stagesFrame);
        log.SetSource(logLines);
        logFrame.Add(log);
        Add(stagesFrame, clusterFrame, logFrame, state, CancelButton);
    }

    /// <summary>Redraws the bars from the latest progress and appends new log lines.</summary>
    public void Update(IReadOnlyList<StageLine> lines, IReadOnlyList<(LogLevel Level, string Message)> logSoFar, string status)
    {
        int current = lines.ToList().FindLastIndex(l => l.State is StageState.Running);
        for (int i = 0; i < rows.Count; i++)
        {
            var (name, bar, detail) = rows[i];
            if (i >= lines.Count) { name.Text = ""; detail.Text = ""; bar.Visible = false; continue; }
            var line = lines[i];
            string mark = line.State switch { StageState.Done => "✓ ", _ when i == current => "▶ ", _ => "  " };
            name.Text = Fit(mark + line.Name, 23);
            bar.Visible = true;
            bar.Fraction = (float)line.Fraction;
            detail.Text = Fit(line.Detail, 43);
        }
        for (int i = logLines.Count; i < logSoFar.Count; i++)
            logLines.Add((logSoFar[i].Level == LogLevel.Warn ? "warning: " : "") + logSoFar[i].Message);
        if (logLines.Count > 0) log.SelectedItem = logLines.Count - 1;
        state.Text = status;
    }

    /// <summary>The cluster panel between the stages and the log; it grows with the lines up to
    /// <see cref="MaxClusterLines"/> (then scrolls) and the log keeps the rest.</summary>
    public void UpdateCluster(ClusterPanel panel)
    {
        if (!clusterFrame.Visible)
        {
            clusterFrame.Visible = true;
            logFrame.Y = Pos.Bottom(clusterFrame);
        }
        clusterFrame.Title = panel.Title;
        int height = Math.Min(panel.Lines.Count, MaxClusterLines) + 2;
        if (clusterFrame.Height is not DimAbsolute a || a.Size != height) clusterFrame.Height = height;
        for (int i = 0; i < panel.Lines.Count; i++)
            if (i >= clusterItems.Count) clusterItems.Add(panel.Lines[i]);
            else if (clusterItems[i] != panel.Lines[i]) clusterItems[i] = panel.Lines[i];
        while (clusterItems.Count > panel.Lines.Count) clusterItems.RemoveAt(clusterItems.Count - 1);
    }

    private const int MaxClusterLines = 8;

    private static string Fit(string s, int width) => s.Length <= width ? s : s[..(width - 1)] + "…";
}
