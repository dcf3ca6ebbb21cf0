namespace NeuronHost.Cli.Tui.Models;

/// <summary>One entry of the Setup view's model or corpus list: what the user reads (name and
/// kind), the path the config gets, and for corpora the format the pipeline reads it as.</summary>
public sealed record AssetChoice(string Name, string Kind, string Path, string Format = "")
{
    public override string ToString() => $"{Name}  ({Kind})";
}
