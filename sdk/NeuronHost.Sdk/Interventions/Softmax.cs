namespace NeuronHost.Sdk.Interventions;

/// <summary>Log-probabilities from logits.</summary>
public static class Softmax
{
    /// <summary>log p(token) under softmax(logits), computed stably in float64.</summary>
    public static double LogProbability(ReadOnlySpan<float> logits, int token)
    {
        double max = double.NegativeInfinity;
        foreach (var v in logits) if (v > max) max = v;
        double sum = 0;
        foreach (var v in logits) sum += Math.Exp(v - max);
        return logits[token] - max - Math.Log(sum);
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
