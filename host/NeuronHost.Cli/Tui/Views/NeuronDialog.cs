using System.Globalization;
using NeuronHost.Cli.Tui.Models;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>One neuron, opened from the rankings table: the words that activate it most in their
/// context, and its mean activation per class as a bar chart (with the overall mean to judge
/// the bars against). Esc closes it.</summary>
public sealed class NeuronDialog : Dialog
{
    public NeuronDialog(string ranking, NeuronDetail detail)
    {
        var n = detail.Neuron;
        PlainText.Of(this);
        Title = $"{n.Neuron} · rank {n.Rank} in {ranking} · score {n.Score.ToString("G4", CultureInfo.InvariantCulture)}";
        Width = Dim.Percent(92);
        Height = Dim.Percent(90);
        var text = TextLines.Create(Describe(detail));
        text.Height = Dim.Fill();
        Add(text);
        AddButton(new Button { Text = "Close (Esc)" });
    }

    public static string Describe(NeuronDetail d)
    {
        var lines = new List<string> { "Top-activating words in context" };
        if (d.Contexts.Count == 0) lines.Add("  (the run recorded contexts for each ranking's first neurons only: top-contexts in analysis.yaml)");
        foreach (var c in d.Contexts)
            lines.Add($"  {c.Activation,8:0.000}  …{Tail(c.Left, 28)} [{c.Word}] {Head(c.Right, 28)}…" + (c.Label is { } l ? $"  ({l})" : ""));
        lines.Add("");
        lines.Add("Mean activation per class (train words)");
        if (d.ClassMeansNote is { } note) lines.Add("  " + note);
        if (d.ClassMeans.Count > 0)
        {
            double overall = d.ClassMeans.Sum(c => c.Mean * c.Count) / Math.Max(1, d.ClassMeans.Sum(c => c.Count));
            double scale = d.ClassMeans.Max(c => Math.Abs(c.Mean));
            int nameWidth = d.ClassMeans.Max(c => c.Class.Length);
            foreach (var (cls, mean, count) in d.ClassMeans.OrderByDescending(c => c.Mean))
            {
                int bar = scale > 0 ? (int)Math.Round(30 * Math.Abs(mean) / scale) : 0;
                lines.Add($"  {cls.PadRight(nameWidth)} {(mean < 0 ? "-" : " ")}{new string('█', bar),-30} {mean,8:0.000}  n={count}");
            }
            lines.Add($"  {"all".PadRight(nameWidth)}  {"",-30} {overall,8:0.000}  (mean over every train word)");
        }
        return string.Join('\n', lines);
    }

    private static string Tail(string s, int n) => s.Length <= n ? s : s[^n..];
    private static string Head(string s, int n) => s.Length <= n ? s : s[..n];
}
