using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Interventions.Common;

internal static class ModelOutputs
{
    /// <summary>True for a sentence encoder whose "logits" are an embedding (USE-Lite): the
    /// output width differs from the vocabulary.</summary>
    public static bool IsSentenceEncoder(IModelSession model, int[] probeIds)
    {
        var result = model.Forward(new ForwardRequest([probeIds]) { Logits = LogitsMode.Last });
        return result.Logits[0].Columns != model.Info.VocabSize;
    }

    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * (double)b[i]; na += a[i] * (double)a[i]; nb += b[i] * (double)b[i]; }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
