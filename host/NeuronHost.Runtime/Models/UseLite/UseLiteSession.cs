using System.Security.Cryptography;
using NeuronHost.Runtime.Models.TfJs;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models.UseLite;

/// <summary>USE-Lite as a model session. It is an encoder, not a language model: the "logits"
/// of a forward pass are the sentence embedding ([1, 512] per sequence, unit norm), and
/// gradients are not offered (NeurGrad needs a language-model head).</summary>
public sealed class UseLiteSession : IModelSession, IEditBackend
{
    private readonly UseLiteEncoder encoder;

    public UseLiteSession(UseLiteEncoder encoder, ITokenizer? tokenizer, string name, string identity)
    {
        this.encoder = encoder;
        Tokenizer = tokenizer;
        var w = encoder.Weights;
        Info = new ModelInfo(name, "use-lite", w.Layers.Count, w.ModelWidth, w.FfnWidth, w.VocabSize, w.MaxLength,
            IsMaskedLm: false, identity, encoder.HookPointWidths());
    }

    public ModelInfo Info { get; }

    /// <inheritdoc/>
    public IComputeKernels? EditKernels { get; set; }
    public ITokenizer? Tokenizer { get; }

    /// <summary>Loads the TF.js graph (a folder holding model.json and its shards, or the npm
    /// package folder with them under dist/).</summary>
    public static UseLiteSession Load(string folder, ITokenizer? tokenizer = null)
    {
        string dir = File.Exists(Path.Combine(folder, "model.json")) ? folder : Path.Combine(folder, "dist");
        return LoadFile(Path.Combine(dir, "model.json"), tokenizer);
    }

    /// <summary>Loads the TF.js graph described by <paramref name="modelJson"/> (its shards beside it).</summary>
    public static UseLiteSession LoadFile(string modelJson, ITokenizer? tokenizer = null)
    {
        try
        {
            var file = TfJsModelFile.Load(modelJson);
            return new UseLiteSession(new UseLiteEncoder(UseLiteWeights.From(file)), tokenizer, "use-lite", Identity(modelJson));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                      or OverflowException or IndexOutOfRangeException or DivideByZeroException or OutOfMemoryException)
        {
            // A framework exception here is a check we are missing: still name the file, never the type.
            throw new ModelLoadException(modelJson, null, $"cannot be loaded: {e.Message}", e);
        }
    }

    /// <summary>A cheap identity: SHA-256 of model.json and the sizes of the files beside it.</summary>
    private static string Identity(string modelJson)
    {
        using var sha = SHA256.Create();
        string dir = Path.GetDirectoryName(Path.GetFullPath(modelJson))!;
        var text = File.ReadAllBytes(modelJson);
        var sizes = string.Join(";", Directory.GetFiles(dir).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetFileName(f)}={new FileInfo(f).Length}"));
        return Convert.ToHexString(sha.ComputeHash([.. text, .. System.Text.Encoding.UTF8.GetBytes(sizes)]))[..16].ToLowerInvariant();
    }

    public ForwardResult Forward(ForwardRequest request, CancellationToken cancellation = default)
    {
        foreach (var edit in request.Edits) ValidateEdit(edit, request.Sequences.Count);
        foreach (var hook in request.Capture)
            if (!Info.HookPointWidths.ContainsKey(hook)) throw UnknownHook(hook);

        var logits = new Tensor2D[request.Sequences.Count];
        var captured = request.Capture.ToDictionary(h => h, _ => new Tensor2D[request.Sequences.Count]);
        Parallel.For(0, request.Sequences.Count, new ParallelOptions { CancellationToken = cancellation }, s =>
        {
            var embedding = encoder.Encode(request.Sequences[s], (hook, values, rows, width) =>
            {
                foreach (var edit in request.Edits)
                    if (edit.HookPoint == hook && (edit.Sequence < 0 || edit.Sequence == s))
                        HookEditApplier.Apply(values, rows, width, edit, EditKernels);
                if (captured.TryGetValue(hook, out var perSequence))
                    perSequence[s] = new Tensor2D((float[])values.Clone(), rows, width);
            });
            logits[s] = new Tensor2D(embedding, 1, embedding.Length);
        });
        return new ForwardResult(
            request.Logits == LogitsMode.None ? [] : logits,
            captured.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Tensor2D>)kv.Value));
    }

    public GradientResult Gradient(GradientRequest request, CancellationToken cancellation = default) =>
        throw new NotSupportedException("use-lite is a sentence encoder without a language-model head: gradients of a token probability do not exist for it (use a gpt2, bert or llama checkpoint for NeurGrad)");

    private void ValidateEdit(HookEdit edit, int sequences)
    {
        if (!Info.HookPointWidths.TryGetValue(edit.HookPoint, out int width)) throw UnknownHook(edit.HookPoint);
        foreach (int neuron in edit.Edit.Neurons)
            if ((uint)neuron >= (uint)width)
                throw new ArgumentOutOfRangeException(nameof(edit), $"neuron {neuron} is outside {edit.HookPoint} (width {width})");
        if (edit.Sequence >= sequences)
            throw new ArgumentOutOfRangeException(nameof(edit), $"edit names sequence {edit.Sequence} of a batch of {sequences}");
    }

    private ArgumentException UnknownHook(string hook) =>
        new($"model '{Info.Name}' has no hook point '{hook}' (it has blocks.0..{Info.Layers - 1}: {string.Join(", ", Info.HookPointWidths.Keys.Where(k => k.StartsWith("blocks.0.")).Select(k => k[9..]))})");
}
