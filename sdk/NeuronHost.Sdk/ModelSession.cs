namespace NeuronHost.Sdk;

/// <summary>What a plugin may know about the loaded model. <paramref name="HookPointWidths"/>
/// lists every hook point the model offers with the size of its last axis.</summary>
public sealed record ModelInfo(
    string Name,
    string Family,
    int Layers,
    int HiddenSize,
    int FfnSize,
    int VocabSize,
    int MaxPositions,
    bool IsMaskedLm,
    string Identity,
    IReadOnlyDictionary<string, int> HookPointWidths);

/// <summary>An edit of one hook point during a forward pass: on sequence
/// <paramref name="Sequence"/> (-1: every sequence of the batch), at <paramref name="Positions"/>
/// (null: every position), apply <paramref name="Edit"/>.</summary>
public sealed record HookEdit(string HookPoint, NeuronEdit Edit, int Sequence = -1, IReadOnlyList<int>? Positions = null);

public enum LogitsMode { None, Last, All }

/// <summary>One batched forward pass. Sequences may differ in length (the runtime pads and
/// masks). <see cref="LogitPositions"/>, when set, picks one position per sequence (a [MASK]
/// position, say) instead of the last.</summary>
public sealed record ForwardRequest(IReadOnlyList<int[]> Sequences)
{
    public IReadOnlyCollection<string> Capture { get; init; } = [];
    public IReadOnlyList<HookEdit> Edits { get; init; } = [];
    public LogitsMode Logits { get; init; } = LogitsMode.Last;
    public IReadOnlyList<int>? LogitPositions { get; init; }
}

/// <summary>Logits per sequence ([1, vocab] for Last, [length, vocab] for All) and the captured
/// hook points: hook → per sequence [length, width] (after any edit of that hook).</summary>
public sealed record ForwardResult(
    IReadOnlyList<Tensor2D> Logits,
    IReadOnlyDictionary<string, IReadOnlyList<Tensor2D>> Captured);

public enum GradientOutput { LogProbability, Probability }

/// <summary>The gradient of p or log p of <paramref name="TargetToken"/> at
/// <paramref name="Position"/> with respect to the given hook points (default: every layer's
/// mlp.hook_post), in one backward pass.</summary>
public sealed record GradientRequest(int[] Sequence, int Position, int TargetToken)
{
    public GradientOutput Output { get; init; } = GradientOutput.Probability;
    public IReadOnlyCollection<string>? WithRespectTo { get; init; }
    public IReadOnlyList<HookEdit> Edits { get; init; } = [];
}

/// <summary>The output value, and per hook point the activations [length, width] and the
/// gradient of the output with respect to them [length, width].</summary>
public sealed record GradientResult(
    double Value,
    IReadOnlyDictionary<string, Tensor2D> Activations,
    IReadOnlyDictionary<string, Tensor2D> Gradients);

/// <summary>A loaded model that plugins can run, edit and differentiate. Edits apply only to
/// the call they are passed to: the checkpoint is never changed.</summary>
public interface IModelSession
{
    ModelInfo Info { get; }
    /// <summary>Null for models shipped without tokenizer files (feed ids).</summary>
    ITokenizer? Tokenizer { get; }
    ForwardResult Forward(ForwardRequest request, CancellationToken cancellation = default);
    GradientResult Gradient(GradientRequest request, CancellationToken cancellation = default);
}
