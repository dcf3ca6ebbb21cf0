using NeuronHost.Sdk;

namespace NeuronHost.Data.Tests;

/// <summary>A tokenizer that cuts each word into 3-character pieces (" " marks a word that
/// follows a space) with a BOS id in front, and ids from a fixed code of each piece.</summary>
internal sealed class FakeTokenizer : ITokenizer
{
    public const int Bos = 1;
    public string Kind => "fake";
    public int VocabSize => 1000;
    public int? MaskTokenId => null;
    public int? BosTokenId => Bos;
    public int? EosTokenId => null;

    public static int IdOf(string piece)
    {
        int h = 17;
        foreach (char c in piece) h = unchecked(h * 31 + c);
        return 2 + (int)((uint)h % 997);
    }

    public static IEnumerable<string> Pieces(string word, bool first)
    {
        string w = first ? word : " " + word;
        for (int i = 0; i < w.Length; i += 3) yield return w.Substring(i, Math.Min(3, w.Length - i));
    }

    public WordAlignment EncodeWords(IReadOnlyList<string> words, bool addSpecialTokens = true)
    {
        var ids = new List<int>();
        if (addSpecialTokens) ids.Add(Bos);
        var spans = new List<TokenSpan>();
        for (int i = 0; i < words.Count; i++)
        {
            int start = ids.Count;
            ids.AddRange(Pieces(words[i], i == 0).Select(IdOf));
            spans.Add(new TokenSpan(start, ids.Count - start));
        }
        return new WordAlignment(ids.ToArray(), spans);
    }

    public int[] Encode(string text, bool addSpecialTokens = true) => EncodeWords(text.Split(' '), addSpecialTokens).Ids;
    public string Decode(IEnumerable<int> ids) => throw new NotSupportedException();
    public string? IdToToken(int id) => null;
    public int? TokenToId(string token) => null;
}

/// <summary>A causal "model": at position p of layer l, neuron j holds
/// mean over t ≤ p of sin(0.1·(j+1)·id_t + l) + 0.01·p. Counts its forward passes.</summary>
internal sealed class FakeSession(int maxPositions = 64, int layers = 2, int width = 6) : IModelSession
{
    public int ForwardCalls;
    public List<int> SequenceLengths { get; } = [];
    public Action? BeforeForward { get; set; }

    public ModelInfo Info { get; } = new("fake", "gpt2", layers, width, width, 1000, maxPositions, false, "fake-model@1",
        Enumerable.Range(0, layers).ToDictionary(l => HookPoints.MlpPost(l), _ => width));
    public ITokenizer? Tokenizer { get; } = new FakeTokenizer();

    public static float Value(IReadOnlyList<int> ids, int p, int layer, int j)
    {
        double sum = 0;
        for (int t = 0; t <= p; t++) sum += Math.Sin(0.1 * (j + 1) * ids[t] + layer);
        return (float)(sum / (p + 1) + 0.01 * p);
    }

    public ForwardResult Forward(ForwardRequest request, CancellationToken cancellation = default)
    {
        BeforeForward?.Invoke();
        ForwardCalls++;
        var captured = new Dictionary<string, IReadOnlyList<Tensor2D>>();
        foreach (var hook in request.Capture)
        {
            int layer = HookPoints.LayerOf(hook);
            captured[hook] = request.Sequences.Select(ids =>
            {
                if (ids.Length > maxPositions) throw new InvalidOperationException($"sequence of {ids.Length} > {maxPositions}");
                var data = new float[ids.Length * width];
                for (int p = 0; p < ids.Length; p++)
                    for (int j = 0; j < width; j++) data[p * width + j] = Value(ids, p, layer, j);
                return new Tensor2D(data, ids.Length, width);
            }).ToArray();
        }
        foreach (var s in request.Sequences) SequenceLengths.Add(s.Length);
        return new ForwardResult([], captured);
    }

    public GradientResult Gradient(GradientRequest request, CancellationToken cancellation = default) => throw new NotSupportedException();
}
