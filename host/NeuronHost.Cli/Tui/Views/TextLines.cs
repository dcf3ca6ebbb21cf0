using System.Collections.ObjectModel;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>Read-only text that scrolls line by line (help, neuron details, layer bars).</summary>
public static class TextLines
{
    public static ListView Create(string text) =>
        WithSource(new ListView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() }, text);

    private static ListView WithSource(ListView list, string text)
    {
        list.SetSource(new ObservableCollection<string>(text.Split('\n')));
        return list;
    }
}
