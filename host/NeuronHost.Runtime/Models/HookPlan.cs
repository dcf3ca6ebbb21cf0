using NeuronHost.Runtime.Models.Ops;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models;

public enum HookKind { ResidPre, AttnZ, AttnOut, MlpPre, MlpPreLinear, MlpPost, MlpOut, ResidPost }

/// <summary>Which hook points one call edits, captures or differentiates, resolved once to
/// (layer, kind) slots so that a hook nobody asked for costs one array lookup.</summary>
internal sealed class HookPlan
{
    private sealed class Site
    {
        public readonly List<(NeuronEdit Edit, int[] Rows)> Edits = [];
        public bool Capture;
        public float[]? Captured;       // [tokens, width] after the edits
        public bool Differentiate;
        public float[]? Gradient;       // [tokens, width]
    }

    private readonly Site?[,] sites;
    private readonly TransformerConfig config;
    private readonly int tokens;
    private IComputeKernels? editKernels;

    private HookPlan(TransformerConfig config, int tokens)
    {
        this.config = config;
        this.tokens = tokens;
        sites = new Site?[config.Layers, Enum.GetValues<HookKind>().Length];
    }

    public static string Name(HookKind kind, int layer) => kind switch
    {
        HookKind.ResidPre => HookPoints.ResidPre(layer),
        HookKind.AttnZ => HookPoints.AttnZ(layer),
        HookKind.AttnOut => HookPoints.AttnOut(layer),
        HookKind.MlpPre => HookPoints.MlpPre(layer),
        HookKind.MlpPreLinear => HookPoints.MlpPreLinear(layer),
        HookKind.MlpPost => HookPoints.MlpPost(layer),
        HookKind.MlpOut => HookPoints.MlpOut(layer),
        _ => HookPoints.ResidPost(layer),
    };

    public static int Width(TransformerConfig c, HookKind kind) => kind switch
    {
        HookKind.AttnZ => c.QDim,
        HookKind.MlpPre or HookKind.MlpPost or HookKind.MlpPreLinear => c.Ffn,
        _ => c.Hidden,
    };

    /// <summary>Every hook point of the model with its width.</summary>
    public static Dictionary<string, int> AllWidths(TransformerConfig c)
    {
        var widths = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int l = 0; l < c.Layers; l++)
            foreach (var kind in Enum.GetValues<HookKind>())
                if (kind != HookKind.MlpPreLinear || c.Gated) widths[Name(kind, l)] = Width(c, kind);
        return widths;
    }

    public static (int Layer, HookKind Kind) Parse(TransformerConfig c, string name)
    {
        int layer = HookPoints.LayerOf(name);
        if (layer >= 0 && layer < c.Layers)
            foreach (var kind in Enum.GetValues<HookKind>())
                if ((kind != HookKind.MlpPreLinear || c.Gated) && Name(kind, layer) == name) return (layer, kind);
        string kinds = string.Join(", ", Enum.GetValues<HookKind>().Where(k => k != HookKind.MlpPreLinear || c.Gated)
            .Select(k => Name(k, 0)[(Name(k, 0).IndexOf('.', 7) + 1)..]));
        throw new ArgumentException($"unknown hook point '{name}': this {c.ModelType} model offers blocks.{{0..{c.Layers - 1}}}.{{{kinds}}}");
    }

    public static HookPlan Build(TransformerConfig c, SequenceLayout layout, IEnumerable<string> capture,
        IEnumerable<HookEdit> edits, IEnumerable<string>? differentiate = null, IComputeKernels? editKernels = null)
    {
        var plan = new HookPlan(c, layout.Total) { editKernels = editKernels };
        foreach (var name in capture) plan.SiteFor(name).Capture = true;
        if (differentiate is not null)
            foreach (var name in differentiate) { var site = plan.SiteFor(name); site.Differentiate = true; site.Capture = true; }
        foreach (var edit in edits)
        {
            var (layer, kind) = Parse(c, edit.HookPoint);
            int width = Width(c, kind);
            var e = edit.Edit ?? throw new ArgumentException($"edit of '{edit.HookPoint}' has no NeuronEdit");
            if (e.Values is not null && e.Values.Length != e.Neurons.Length)
                throw new ArgumentException($"edit of '{edit.HookPoint}': {e.Values.Length} values for {e.Neurons.Length} neurons");
            foreach (int n in e.Neurons)
                if (n < 0 || n >= width)
                    throw new ArgumentException($"edit of '{edit.HookPoint}': neuron {n} is outside 0..{width - 1}");
            plan.SiteFor(layer, kind).Edits.Add((e, Rows(edit, layout)));
        }
        return plan;
    }

    private static int[] Rows(HookEdit edit, SequenceLayout layout)
    {
        if (edit.Sequence < -1 || edit.Sequence >= layout.Count)
            throw new ArgumentException($"edit of '{edit.HookPoint}': sequence {edit.Sequence} is not in the batch of {layout.Count}");
        var rows = new List<int>();
        for (int s = 0; s < layout.Count; s++)
        {
            if (edit.Sequence != -1 && edit.Sequence != s) continue;
            int off = layout.Offsets[s], len = layout.Lengths[s];
            if (edit.Positions is null) { for (int p = 0; p < len; p++) rows.Add(off + p); continue; }
            foreach (int p in edit.Positions)
            {
                if (p >= 0 && p < len) rows.Add(off + p);
                else if (edit.Sequence != -1 || p < 0)
                    throw new ArgumentException($"edit of '{edit.HookPoint}': position {p} is outside sequence {s} of length {len}");
                // a position past the end of a shorter sequence in a batch-wide edit is skipped
            }
        }
        return rows.ToArray();
    }

    private Site SiteFor(string name)
    {
        var (layer, kind) = Parse(config, name);
        return SiteFor(layer, kind);
    }

    private Site SiteFor(int layer, HookKind kind) => sites[layer, (int)kind] ??= new Site();

    /// <summary>Forward: applies the edits of this hook to the buffer, then captures it.</summary>
    public void Forward(int layer, HookKind kind, Span<float> buffer)
    {
        var site = sites[layer, (int)kind];
        if (site is null) return;
        int width = Width(config, kind);
        foreach (var (edit, rows) in site.Edits)
            MaskedEdit.Apply(buffer[..(tokens * width)], tokens, width, rows, edit, editKernels);
        if (site.Capture) site.Captured = buffer[..(tokens * width)].ToArray();
    }

    /// <summary>Backward: records ∂out/∂hook, then passes the gradient back through the edits.</summary>
    public void Backward(int layer, HookKind kind, Span<float> gradient)
    {
        var site = sites[layer, (int)kind];
        if (site is null) return;
        int width = Width(config, kind);
        if (site.Differentiate) site.Gradient = gradient[..(tokens * width)].ToArray();
        foreach (var (edit, rows) in site.Edits)
            foreach (int r in rows) EditMath.Backprop(gradient.Slice(r * width, width), edit);
    }

    public float[]? Captured(string name) { var (l, k) = Parse(config, name); return sites[l, (int)k]?.Captured; }
    public float[]? Gradient(string name) { var (l, k) = Parse(config, name); return sites[l, (int)k]?.Gradient; }
}
