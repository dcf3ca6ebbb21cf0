using NeuronHost.Core.Text;
using Spectre.Console;

namespace NeuronHost.Cli;

/// <summary>Text from configs, corpora and plugins for a Spectre.Console markup string: control
/// characters escaped and long values cut (<see cref="TerminalText"/>), then markup brackets escaped.</summary>
public static class SafeMarkup
{
    public static string Escape(string? text) => Markup.Escape(TerminalText.Safe(text));
}
