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
        return result is 1 && !string.IsNullOrWhiteSpace(field.Text) ? Path.GetFullPath(field.Text.Trim()) : null;
    }
}
