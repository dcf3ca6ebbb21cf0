using Terminal.Gui.App;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>A small dialog that asks for one path (typed, with a default); null when cancelled.</summary>
public static class PathPrompt
{
    public static string? Ask(IApplication app, string title, string label, string initial)
    {
        using var dialog = new Dialog { Title = title, Width = Dim.Percent(80), Height = 8 };
        var prompt = PlainText.Of(new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1, Text = label });
        var field = new TextField { X = 0, Y = 1, Width = Dim.Fill(), Height = 1, Text = initial };
        dialog.Add(prompt, field);
        dialog.AddButton(new Button { Text = "Cancel" });
        dialog.AddButton(new Button { Text = "OK", IsDefault = true });
        field.SetFocus();
        var result = app.Run(dialog);
        if (result is not 1 || string.IsNullOrWhiteSpace(field.Text)) return null;
        if (field.Text.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            // a pasted NUL: Path.GetFullPath would throw and close the application
            MessageBox.ErrorQuery(app, title, "That path holds a character no path can (NUL).", "OK");
            return null;
        }
        return Path.GetFullPath(field.Text.Trim());
    }
}
