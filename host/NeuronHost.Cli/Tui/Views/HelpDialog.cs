using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>F1: every key of every view (the same list docs/tui.md shows).</summary>
public sealed class HelpDialog : Dialog
{
    public const string Keys = """
        Everywhere
          F1             this help
          Esc            back: Results → Setup; closes a dialog
          Tab, Shift+Tab next / previous pane
          Alt+letter     the pane, field or button with that underlined letter
          Ctrl+O         load analysis.yaml
          Ctrl+S         save the choices as analysis.yaml
          Ctrl+R         open an earlier run folder's results
          Ctrl+Q         quit (cancels a running analysis first)
          mouse          click to focus, pick or tick; the wheel scrolls
        Setup
          ↑ ↓ Home End   move; in Model, Corpus, Task and Hook moving picks
          Space, Enter   pick, or tick/untick (Layers, Rankings, Probes, Interventions)
          Ctrl+A         select a field's text (then type to replace it)
          F4             edit the parameters of the plugin under the cursor
          F5             run; refused, with the reason, while a choice is missing
        Run
          Ctrl+C         cancel: stops within seconds, keeps the finished results
        Results
          F6             next tab: Rankings, Accuracy vs k, Layers, Interventions
          s, S           sort the rankings table by the next column / reverse it
          Enter          open the neuron under the cursor (contexts, class means)
          o              open report.html in the browser
          e              export the rankings table as shown to a CSV file
        """;

    public HelpDialog()
    {
        Title = "Keys";
        Width = Dim.Percent(95);
        Height = Dim.Percent(95);
        var text = TextLines.Create(Keys);
        text.Height = Dim.Fill();
        Add(text);
        AddButton(new Button { Text = "Close (Esc)" });
    }
}
