namespace NeuronHost.Sdk;

/// <summary>One neuron: a hook point (TransformerLens name) and an index into its last axis.
/// A flat column index over several hook points is only a view; this is the identity.</summary>
public readonly record struct NeuronRef(string HookPoint, int Index)
{
    /// <summary>The layer number in "blocks.{i}.…", or -1 for hook points outside the blocks.</summary>
    public int Layer => HookPoints.LayerOf(HookPoint);

    public override string ToString() => $"{HookPoint}[{Index}]";

    /// <summary>Parses the form written by <see cref="ToString"/>: "blocks.3.mlp.hook_post[17]".</summary>
    public static NeuronRef Parse(string text)
    {
        int open = text.LastIndexOf('[');
        if (open <= 0 || !text.EndsWith(']') ||
            !int.TryParse(text.AsSpan(open + 1, text.Length - open - 2), out int index) || index < 0)
            throw new FormatException($"'{text}' is not a neuron reference like 'blocks.0.mlp.hook_post[12]'");
        return new NeuronRef(text[..open], index);
    }
}
