using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests.Interventions;

/// <summary>A model whose output is known in closed form: one hook point "blocks.0.mlp.hook_post"
/// of width W holding fixed activations per position; the next-token distribution at the last
/// position over a 2-token vocabulary is p(token 0) = c + Σ_n s_n·a_n, p(token 1) = 1 − p(token 0)
/// (logits are their logs). So ∂p/∂a_n = s_n exactly, and a shift of a_n by Δ changes p by s_n·Δ.</summary>
internal sealed class LinearFakeModel : IModelSession
{
    public const string Hook = "blocks.0.mlp.hook_post";
    private readonly float[] activations;   // [positions, width], the same for every sequence
    public double C { get; init; } = 0.4;
    public double[] Slopes { get; }
    public int Width { get; }
    public int Forwards { get; private set; }

    public LinearFakeModel(double[] slopes, float[] activations)
    {
        Slopes = slopes;
        Width = slopes.Length;
        this.activations = activations;
        Info = new ModelInfo("linear-fake", "fake", 1, Width, Width, 2, 64, false, "fake",
            new Dictionary<string, int> { [Hook] = Width });
        Tokenizer = new CharTokenizer();
    }

    public ModelInfo Info { get; }
    public ITokenizer? Tokenizer { get; }

    public ForwardResult Forward(ForwardRequest request, CancellationToken cancellation = default)
    {
        var logits = new List<Tensor2D>();
        var captured = new Dictionary<string, IReadOnlyList<Tensor2D>>();
        var captures = new List<Tensor2D>();
        for (int s = 0; s < request.Sequences.Count; s++)
        {
            Forwards++;
            int length = request.Sequences[s].Length;
            var h = ActivationsFor(length);
            foreach (var edit in request.Edits.Where(e => e.Sequence < 0 || e.Sequence == s))
            {
                if (edit.HookPoint != Hook) throw new ArgumentException($"no hook point '{edit.HookPoint}'");
                NeuronHost.Runtime.Models.HookEditApplier.Apply(h, length, Width, edit);
            }
            if (request.Capture.Contains(Hook)) captures.Add(new Tensor2D((float[])h.Clone(), length, Width));
            double p = C;
            for (int n = 0; n < Width; n++) p += Slopes[n] * h[(length - 1) * Width + n];
            logits.Add(new Tensor2D([(float)Math.Log(p), (float)Math.Log(1 - p)], 1, 2));
        }
        if (request.Capture.Contains(Hook)) captured[Hook] = captures;
        return new ForwardResult(logits, captured);
    }

    public GradientResult Gradient(GradientRequest request, CancellationToken cancellation = default)
    {
        int length = request.Sequence.Length;
        var grad = new float[length * Width];
        double sign = request.TargetToken == 0 ? 1 : -1;
        for (int n = 0; n < Width; n++) grad[request.Position * Width + n] = (float)(sign * Slopes[n]);
        var h = ActivationsFor(length);
        double p = C;
        for (int n = 0; n < Width; n++) p += Slopes[n] * h[(length - 1) * Width + n];
        return new GradientResult(request.TargetToken == 0 ? p : 1 - p,
            new Dictionary<string, Tensor2D> { [Hook] = new(h, length, Width) },
            new Dictionary<string, Tensor2D> { [Hook] = new(grad, length, Width) });
    }

    private float[] ActivationsFor(int length)
    {
        var h = new float[length * Width];
        for (int p = 0; p < length; p++) activations.AsSpan((p % (activations.Length / Width)) * Width, Width).CopyTo(h.AsSpan(p * Width));
        return h;
    }

    /// <summary>The words "yes" and "no" are tokens 0 and 1; any other word is one token per character.</summary>
    private sealed class CharTokenizer : ITokenizer
    {
        public string Kind => "chars";
        public int VocabSize => 2;
        public int[] Encode(string text, bool addSpecialTokens = true) =>
            text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .SelectMany(word => word switch { "yes" => [0], "no" => [1], _ => word.Select(c => c % 2) }).ToArray();
        public string Decode(IEnumerable<int> ids) => string.Concat(ids);
        public string? IdToToken(int id) => id.ToString();
        public int? TokenToId(string token) => int.TryParse(token, out var i) ? i : null;
        public WordAlignment EncodeWords(IReadOnlyList<string> words, bool addSpecialTokens = true) =>
            new(words.Select(_ => 0).ToArray(), words.Select((_, i) => new TokenSpan(i, 1)).ToArray());
        public int? MaskTokenId => null;
        public int? BosTokenId => null;
        public int? EosTokenId => null;
    }
}
