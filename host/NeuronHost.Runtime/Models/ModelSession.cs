using NeuronHost.Runtime.Models.Ops;
using NeuronHost.Runtime.Models.Safetensors;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models;

/// <summary>A loaded checkpoint that plugins run, edit and differentiate. Thread-safe: every
/// call allocates its own buffers; the weights are read-only views of the mapped files.</summary>
public sealed class ModelSession : IModelSession, IDisposable, IEditBackend
{
    private readonly TransformerModel model;
    private readonly Checkpoint checkpoint;
    private volatile bool disposed; // the weights point into the mapped files: never read them after unmapping

    internal ModelSession(TransformerModel model, Checkpoint checkpoint, ModelInfo info, ITokenizer? tokenizer)
    {
        this.model = model;
        this.checkpoint = checkpoint;
        Info = info;
        Tokenizer = tokenizer;
    }

    public ModelInfo Info { get; }
    /// <summary>Problems that did not stop the load (tensors the model does not read).</summary>
    public IReadOnlyList<string> LoadWarnings { get; init; } = [];
    public ITokenizer? Tokenizer { get; }
    public TransformerConfig Config => model.Config;

    /// <summary>The kernel backend that applies the masked edits of a forward or gradient pass
    /// (a GPU backend edits on the device); null: the runtime's own row loop.</summary>
    public IComputeKernels? EditKernels { get; set; }

    public ForwardResult Forward(ForwardRequest request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(disposed, this);
        var sequences = request.Sequences;
        model.Validate(sequences);
        var layout = new SequenceLayout(sequences);
        var plan = HookPlan.Build(model.Config, layout, request.Capture, request.Edits, editKernels: EditKernels);
        var rows = LogitRows(request, layout);
        // All positions: each sequence's logits are written straight into its own array (a
        // batch's logits are hundreds of MB: no second copy). Last: one product for all rows,
        // so the head's weights are read once, then split.
        bool all = request.Logits == LogitsMode.All;
        var logits = model.Forward(sequences, layout, plan, rows, null, cancellation, all ? layout.Lengths : null);

        int V = model.Config.Vocab;
        var perSequence = new List<Tensor2D>(sequences.Count);
        if (all)
            for (int s = 0; s < layout.Count; s++)
                perSequence.Add(new Tensor2D(logits[s], layout.Lengths[s], V));
        else if (request.Logits == LogitsMode.Last)
            for (int s = 0; s < layout.Count; s++)
                perSequence.Add(new Tensor2D(logits[0].AsSpan(s * V, V).ToArray(), 1, V));

        var captured = new Dictionary<string, IReadOnlyList<Tensor2D>>(StringComparer.Ordinal);
        foreach (var name in request.Capture)
        {
            int width = HookPlan.Width(model.Config, HookPlan.Parse(model.Config, name).Kind);
            captured[name] = Split(plan.Captured(name)!, layout, width);
        }
        return new ForwardResult(perSequence, captured);
    }

    private static int[] LogitRows(ForwardRequest request, SequenceLayout layout)
    {
        switch (request.Logits)
        {
            case LogitsMode.None: return [];
            case LogitsMode.All: return Enumerable.Range(0, layout.Total).ToArray();
        }
        var rows = new int[layout.Count];
        if (request.LogitPositions is { } positions && positions.Count != layout.Count)
            throw new ArgumentException($"LogitPositions has {positions.Count} entries for {layout.Count} sequences");
        for (int s = 0; s < layout.Count; s++)
        {
            int len = layout.Lengths[s];
            int p = request.LogitPositions?[s] ?? len - 1;
            if (p < 0 || p >= len)
                throw new ArgumentException(len == 0 ? $"sequence {s} is empty: no logits to return" : $"logit position {p} is outside sequence {s} of length {len}");
            rows[s] = layout.Offsets[s] + p;
        }
        return rows;
    }

    private static List<Tensor2D> Split(float[] data, SequenceLayout layout, int width)
    {
        var list = new List<Tensor2D>(layout.Count);
        for (int s = 0; s < layout.Count; s++)
            list.Add(new Tensor2D(data.AsSpan(layout.Offsets[s] * width, layout.Lengths[s] * width).ToArray(), layout.Lengths[s], width));
        return list;
    }

    public GradientResult Gradient(GradientRequest request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(disposed, this);
        var c = model.Config;
        int[] sequence = request.Sequence;
        model.Validate([sequence]);
        int T = sequence.Length;
        if (request.Position < 0 || request.Position >= T)
            throw new ArgumentException($"gradient position {request.Position} is outside the sequence of length {T}");
        if ((uint)request.TargetToken >= (uint)c.Vocab)
            throw new ArgumentException($"target token {request.TargetToken} is outside the vocabulary of {c.Vocab}");
        var wrt = (request.WithRespectTo ?? Enumerable.Range(0, c.Layers).Select(HookPoints.MlpPost).ToList()).ToList();
        foreach (var edit in request.Edits)
            if (edit.Sequence > 0) throw new ArgumentException($"edit of '{edit.HookPoint}' names sequence {edit.Sequence}, but a gradient runs one sequence (use 0 or -1)");

        var layout = new SequenceLayout([sequence]);
        var plan = HookPlan.Build(c, layout, [], request.Edits, wrt, EditKernels);
        var trace = new ForwardTrace(c, T);
        var logits = model.Forward([sequence], layout, plan, [request.Position], trace, cancellation)[0];

        // log-softmax and its gradient at the target
        int V = c.Vocab;
        double max = double.NegativeInfinity;
        for (int i = 0; i < V; i++) max = Math.Max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < V; i++) sum += Math.Exp(logits[i] - max);
        double logp = logits[request.TargetToken] - max - Math.Log(sum);
        double p = Math.Exp(logp);
        bool probability = request.Output == GradientOutput.Probability;
        var dLogits = new float[V];
        for (int i = 0; i < V; i++)
        {
            double softmax = Math.Exp(logits[i] - max) / sum;
            double d = (i == request.TargetToken ? 1 : 0) - softmax;
            dLogits[i] = (float)(probability ? p * d : d);
        }
        model.Backward(trace, plan, request.Position, dLogits, cancellation);

        var activations = new Dictionary<string, Tensor2D>(StringComparer.Ordinal);
        var gradients = new Dictionary<string, Tensor2D>(StringComparer.Ordinal);
        foreach (var name in wrt)
        {
            int width = HookPlan.Width(c, HookPlan.Parse(c, name).Kind);
            activations[name] = new Tensor2D(plan.Captured(name)!, T, width);
            gradients[name] = new Tensor2D(plan.Gradient(name) ?? new float[T * width], T, width);
        }
        return new GradientResult(probability ? p : logp, activations, gradients);
    }

    /// <summary>Greedy continuation: <paramref name="count"/> new ids after the prompt (stops at
    /// the model's context length).</summary>
    public int[] Greedy(int[] prompt, int count, CancellationToken cancellation = default)
    {
        var ids = new List<int>(prompt);
        for (int i = 0; i < count && ids.Count < model.Config.MaxPositions; i++)
        {
            var logits = Forward(new ForwardRequest([ids.ToArray()]), cancellation).Logits[0].Data;
            int best = 0;
            for (int v = 1; v < logits.Length; v++) if (logits[v] > logits[best]) best = v;
            ids.Add(best);
        }
        return ids.ToArray();
    }

    /// <summary>Unmaps the checkpoint; later calls throw ObjectDisposedException.</summary>
    public void Dispose()
    {
        disposed = true;
        checkpoint.Dispose();
    }
}
