namespace NeuronHost.Plugins.Interventions.Translation;

/// <summary>How strongly each translated neuron is moved: one α for all, or Pitfalls' rank
/// scaling α_r = exp(linspace(ln 8, ln 1e-3, D))[r] that moves high-ranked neurons most.</summary>
public enum AlphaScaling { Scalar, RankScaled }

internal static class Alphas
{
    public static double For(AlphaScaling scaling, double alpha, int rank, int rankedNeurons)
    {
        if (scaling == AlphaScaling.Scalar) return alpha;
        if (rankedNeurons <= 1) return 8.0;
        double t = (double)rank / (rankedNeurons - 1);
        return Math.Exp(Math.Log(8.0) + t * (Math.Log(1e-3) - Math.Log(8.0)));
    }
}
