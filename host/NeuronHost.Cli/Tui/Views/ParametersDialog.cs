using NeuronHost.Core.Config;
using NeuronHost.Core.Plugins;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>F4: a plugin's typed parameters, one field each with its type and description;
/// each value is checked as it is typed (the same parsing the plugin host applies), and OK
/// keeps only valid values that differ from the defaults.</summary>
public sealed class ParametersDialog : Dialog
{
    private readonly List<(PluginParameter P, TextField Field, Label Error)> fields = [];
    private readonly PluginDescriptor plugin;

    public ParametersDialog(PluginDescriptor plugin, PluginUse use)
    {
        this.plugin = plugin;
        PlainText.Of(this);
        Title = $"{plugin.Name} parameters";
        Width = Dim.Percent(90);
        Height = Dim.Percent(90);
        var scroll = new View { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(1), CanFocus = true };
        scroll.ViewportSettings |= ViewportSettingsFlags.HasVerticalScrollBar;
        int y = 0;
        if (plugin.Parameters.Count == 0) scroll.Add(new Label { Text = "This plugin has no parameters.", Y = 0 });
        foreach (var p in plugin.Parameters)
        {
            string choices = p.Choices.Count > 0 ? " (" + string.Join(" | ", p.Choices) + ")" : "";
            scroll.Add(PlainText.Of(new Label { X = 0, Y = y, Width = Dim.Fill(), Height = 1, Text = $"{p.Name} : {p.TypeName}{choices} — {p.Description}" }));
            var field = new TextField { X = 2, Y = y + 1, Width = 30, Height = 1, Text = use.Parameters.GetValueOrDefault(p.Name, p.DefaultText) };
            var error = PlainText.Of(new Label { X = 34, Y = y + 1, Width = Dim.Fill(), Height = 1, Text = "" });
            field.ValueChanged += (_, _) => error.Text = Check(p, field.Text) ?? "";
            scroll.Add(field, error);
            fields.Add((p, field, error));
            y += 2;
        }
        // Content as wide as a long description, as tall as the fields: the rest scrolls.
        scroll.SetContentSize(new System.Drawing.Size(300, y));
        Add(scroll);
        AddButton(new Button { Text = "Cancel" });
        AddButton(new Button { Text = "OK", IsDefault = true });
    }

    private string? Check(PluginParameter p, string text)
    {
        try { PluginParameters.Parse(plugin.Name, p, text); return null; }
        catch (PluginException e) { return e.Message; }
    }

    /// <summary>Writes the valid, non-default values into the use; returns the errors left.</summary>
    public List<string> Apply(PluginUse use)
    {
        var errors = new List<string>();
        foreach (var (p, field, _) in fields)
        {
            string text = field.Text;
            if (Check(p, text) is { } error) { errors.Add(error); continue; }
            if (text == p.DefaultText) use.Parameters.Remove(p.Name); else use.Parameters[p.Name] = text;
        }
        return errors;
    }
}
