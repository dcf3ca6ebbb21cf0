using NeuronHost.Data.Tasks;

namespace NeuronHost.Data.Interop;

/// <summary>Options of <see cref="StoreExport.Run"/> (the <c>neuronhost export</c> command).</summary>
public sealed record ExportOptions
{
    /// <summary>The activation store to export.</summary>
    public required string StoreDirectory { get; init; }
    /// <summary>Check every store file's SHA-256 before exporting (false: lengths only).</summary>
    public bool VerifyHashes { get; init; } = true;
    /// <summary>Directory for activations.npy, labels.json and neurons.json (created).</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>Keep only hook points of these layers (blocks.{i}.…); null = all.</summary>
    public IReadOnlyList<int>? Layers { get; init; }
    /// <summary>Keep only these hook points; null = all.</summary>
    public IReadOnlyList<string>? HookPoints { get; init; }
    /// <summary>Keep only these neuron indices within each kept hook point; null = all.</summary>
    public IReadOnlyList<int>? Neurons { get; init; }
    /// <summary>Keep only tokens of these splits ("train", "dev", "test"…); null = all.</summary>
    public IReadOnlyList<string>? Splits { get; init; }
    /// <summary>Export the tokens of this task with its labels (rare values dropped, splits as in
    /// <see cref="TaskOptions"/>). Null: every row, labelled with the extraction task recorded
    /// in the store (or -1 when it has none).</summary>
    public TaskSpec? Task { get; init; }
    public TaskOptions? TaskOptions { get; init; }
    /// <summary>The activation file's format; labels.json and neurons.json are written for every one.</summary>
    public ExportFormat Format { get; init; } = ExportFormat.Npy;
}

public enum ExportFormat
{
    /// <summary>activations.npy, float32 [tokens, neurons].</summary>
    Npy,
    /// <summary>NeuroX's activations.hdf5 (+ sentences.txt, labels.txt).</summary>
    NeuroxHdf5,
    /// <summary>NeuroX's activations.json lines (+ sentences.txt, labels.txt).</summary>
    NeuroxJson,
}

/// <summary>What was exported: tokens × neurons, the files written, and where the labels and
/// splits came from (said in the command's output).</summary>
public sealed record ExportResult(long Tokens, int Neurons, IReadOnlyList<string> Files)
{
    public string LabelOrigin { get; init; } = "";
}
