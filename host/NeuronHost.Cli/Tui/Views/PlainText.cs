using System.Text;
using Terminal.Gui.ViewBase;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>Views that show data (neuron names like blocks.1.mlp.hook_post[137], paths, config
/// keys like k_grid) must not treat '_' as a hot-key mark, which Terminal.Gui does by default.</summary>
public static class PlainText
{
    public static T Of<T>(T view) where T : View
    {
        view.HotKeySpecifier = (Rune)'\xffff';
        return view;
    }
}
