using NeuronHost.Runtime.Models.UseLite;
using NeuronHost.Sdk;
using Xunit.Abstractions;

namespace NeuronHost.Runtime.Tests.UseLite;

public sealed class UseLiteParityTests(ITestOutputHelper output)
{
    /// <summary>Varied sentences: short and long, punctuation, numbers, case, unicode, unknown
    /// characters (which the vocabulary maps to id 0 and the graph treats as padding).</summary>
    public static readonly string[] Sentences =
    [
        "The jury said it was fine.",
        "hello world",
        "A",
        "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced no evidence that any irregularities took place.",
        "The dogs near the house are barking loudly.",
        "The dog near the houses is barking loudly.",
        "I can't believe it's not butter!",
        "What time is it?  Two spaces before this.",
        "Numbers: 3.14159, 2,718 and 1e10.",
        "Ünïcödé naïve café — 42%!",
        "emoji 🙂 and symbols ∑ ∂ √ in text",
        "UPPERCASE WORDS SHOUTED LOUDLY",
        "She sells sea shells by the sea shore.",
        "Colorless green ideas sleep furiously.",
        "The President spoke to Congress about the state of the union in 1962.",
        "How are you doing today, my friend?",
        "Machine learning models encode part of speech in individual neurons.",
        "He ran, she walked, they drove; we flew.",
        "\"Quoted text\" (with parentheses) [and brackets] {and braces}",
        "A very long sentence " + string.Join(" ", Enumerable.Range(0, 150).Select(i => $"word{i % 17}")),
        "Tabs\tand\nnewlines in the input",
        "i",
    ];

    [UseLiteFact]
    public void Embeddings_match_the_original_javascript_pipeline()
    {
        var (backend, reference) = UseLiteReference.Embed(Sentences);
        var session = NeuronHost.Runtime.Models.ModelOpener.Open(UseLiteReference.PackageFolder);
        Assert.Equal("use-lite", session.Info.Family);
        double worst = 1;
        foreach (var r in reference)
        {
            Assert.Equal(r.Ids, session.Tokenizer!.Encode(r.Text));
            var result = session.Forward(new ForwardRequest([r.Ids]));
            var ours = result.Logits[0].Data;
            double cosine = Cosine(ours, r.Embedding);
            worst = Math.Min(worst, cosine);
            Assert.True(cosine >= 0.9999, $"cosine {cosine:F6} for \"{r.Text}\"");
        }
        output.WriteLine($"{reference.Count} sentences, JS backend '{backend}', worst cosine {worst:F7}");
    }

    private static double Cosine(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * (double)b[i]; na += a[i] * (double)a[i]; nb += b[i] * (double)b[i]; }
        return dot / Math.Sqrt(na * nb);
    }
}
