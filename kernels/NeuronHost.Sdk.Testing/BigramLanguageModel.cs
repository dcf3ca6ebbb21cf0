using NeuronHost.Kernels.Cpu;

namespace NeuronHost.Sdk.Testing;

/// <summary>A causal language model small enough to reason about, for testing interventions:
/// a word bigram model trained by counting on the given texts, with add-α smoothing.
/// Words are tokens (split on whitespace; unknown words are id 0, "&lt;unk&gt;"); no BOS is added.
/// Its one hook point <see cref="Hook"/> has one neuron per vocabulary word: at each position
/// it holds the one-hot vector of the current word, and the next-token logits are
/// Σ_j h_j · log P(v | word j). So neuron j is exactly "the current word is j", zeroing it
/// at a position leaves that position with all-zero logits (a uniform prediction), and the clean
/// mean NLL is the bigram cross-entropy of the text.</summary>
public sealed class BigramLanguageModel : IModelSession
{
    public const string Hook = "blocks.0.mlp.hook_post";
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
    private readonly List<string> words = ["<unk>"];
    private readonly float[] logProbabilities; // [V, V]: row j = log P(· | j)
    private readonly CpuKernels kernels = new(1);

    /// <param name="texts">training texts (whitespace-separated words)</param>
    /// <param name="alpha">add-α smoothing of the bigram counts</param>
    public BigramLanguageModel(IEnumerable<string> texts, double alpha = 0.1)
    {
        ids["<unk>"] = 0;
        var sentences = texts.Select(t => t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToList();
        foreach (var w in sentences.SelectMany(s => s))
            if (ids.TryAdd(w, words.Count)) words.Add(w);
        int v = words.Count;
        var counts = new double[v * v];
        foreach (var s in sentences)
            for (int i = 1; i < s.Length; i++) counts[ids[s[i - 1]] * v + ids[s[i]]]++;
        logProbabilities = new float[v * v];
        for (int j = 0; j < v; j++)
        {
            double total = 0;
            for (int k = 0; k < v; k++) total += counts[j * v + k] + alpha;
            for (int k = 0; k < v; k++) logProbabilities[j * v + k] = (float)Math.Log((counts[j * v + k] + alpha) / total);
        }
        Tokenizer = new WordTokenizer(this);
        Info = new ModelInfo("bigram", "bigram", 1, v, v, v, 512, false, "bigram-" + v,
            new Dictionary<string, int> { [Hook] = v });
    }

    public ModelInfo Info { get; }
    public ITokenizer? Tokenizer { get; }

    /// <summary>Forward passes run so far (one per sequence).</summary>
    public int Forwards { get; private set; }

    /// <summary>log P(next | current) of the trained model.</summary>
    public double LogProbability(string current, string next) =>
        logProbabilities[Id(current) * words.Count + Id(next)];

    public ForwardResult Forward(ForwardRequest request, CancellationToken cancellation = default)
    {
        var logits = new List<Tensor2D>();
        var captured = new List<Tensor2D>();
        for (int s = 0; s < request.Sequences.Count; s++)
        {
            cancellation.ThrowIfCancellationRequested();
            Forwards++;
            var seq = request.Sequences[s];
            var h = Hidden(seq, request.Edits, s);
            if (request.Capture.Contains(Hook)) captured.Add(new Tensor2D((float[])h.Clone(), seq.Length, words.Count));
            var all = Logits(h, seq.Length);
            logits.Add(request.Logits switch
            {
                LogitsMode.All => all,
                LogitsMode.Last => new Tensor2D(all.Row(request.LogitPositions?[s] ?? seq.Length - 1).ToArray(), 1, words.Count),
                _ => new Tensor2D([], 0, words.Count),
            });
        }
        var captures = new Dictionary<string, IReadOnlyList<Tensor2D>>();
        if (request.Capture.Contains(Hook)) captures[Hook] = captured;
        return new ForwardResult(logits, captures);
    }

    /// <summary>∂ output / ∂h at <see cref="GradientRequest.Position"/>: for log p(t) it is
    /// L[:, t] − Σ_v p_v L[:, v] (L the log-probability table); times p(t) for p.</summary>
    public GradientResult Gradient(GradientRequest request, CancellationToken cancellation = default)
    {
        int v = words.Count, length = request.Sequence.Length;
        var h = Hidden(request.Sequence, request.Edits, 0);
        var row = Logits(h, length).Row(request.Position);
        double max = double.NegativeInfinity;
        foreach (var x in row) max = Math.Max(max, x);
        var p = new double[v];
        double sum = 0;
        for (int k = 0; k < v; k++) sum += p[k] = Math.Exp(row[k] - max);
        for (int k = 0; k < v; k++) p[k] /= sum;
        int t = request.TargetToken;
        double scale = request.Output == GradientOutput.Probability ? p[t] : 1;
        var grad = new float[length * v];
        for (int j = 0; j < v; j++)
        {
            double expected = 0;
            for (int k = 0; k < v; k++) expected += p[k] * logProbabilities[j * v + k];
            grad[request.Position * v + j] = (float)(scale * (logProbabilities[j * v + t] - expected));
        }
        double value = request.Output == GradientOutput.Probability ? p[t] : Math.Log(p[t]);
        return new GradientResult(value,
            new Dictionary<string, Tensor2D> { [Hook] = new(h, length, v) },
            new Dictionary<string, Tensor2D> { [Hook] = new(grad, length, v) });
    }

    private int Id(string word) => ids.TryGetValue(word, out int id) ? id : 0;

    private float[] Hidden(int[] sequence, IReadOnlyList<HookEdit> edits, int sequenceIndex)
    {
        int v = words.Count;
        var h = new float[sequence.Length * v];
        for (int p = 0; p < sequence.Length; p++)
        {
            if ((uint)sequence[p] >= (uint)v) throw new ArgumentException($"token id {sequence[p]} is outside the vocabulary of {v}");
            h[p * v + sequence[p]] = 1;
        }
        foreach (var edit in edits)
        {
            if (edit.HookPoint != Hook) throw new ArgumentException($"the bigram model has no hook point '{edit.HookPoint}' (only {Hook})");
            if (edit.Sequence >= 0 && edit.Sequence != sequenceIndex) continue;
            var mask = new bool[edit.Positions is null ? 0 : sequence.Length];
            foreach (int p in edit.Positions ?? []) if ((uint)p < (uint)sequence.Length) mask[p] = true;
            if (edit.Positions is { Count: > 0 } || edit.Positions is null)
                kernels.ApplyEdit(h, sequence.Length, v, mask, edit.Edit);
        }
        return h;
    }

    private Tensor2D Logits(float[] h, int length)
    {
        int v = words.Count;
        var logits = new float[length * v];
        kernels.Sgemm(false, false, length, v, v, 1f, h, v, logProbabilities, v, 0f, logits, v);
        return new Tensor2D(logits, length, v);
    }

    private sealed class WordTokenizer(BigramLanguageModel model) : ITokenizer
    {
        public string Kind => "words";
        public int VocabSize => model.words.Count;
        public int[] Encode(string text, bool addSpecialTokens = true) =>
            text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(model.Id).ToArray();
        public string Decode(IEnumerable<int> ids) => string.Join(' ', ids.Select(i => IdToToken(i) ?? "<unk>"));
        public string? IdToToken(int id) => (uint)id < (uint)model.words.Count ? model.words[id] : null;
        public int? TokenToId(string token) => model.ids.TryGetValue(token, out int id) ? id : null;
        public WordAlignment EncodeWords(IReadOnlyList<string> words, bool addSpecialTokens = true) =>
            new(words.Select(model.Id).ToArray(), Enumerable.Range(0, words.Count).Select(i => new TokenSpan(i, 1)).ToArray());
        public int? MaskTokenId => null;
        public int? BosTokenId => null;
        public int? EosTokenId => null;
    }
}
