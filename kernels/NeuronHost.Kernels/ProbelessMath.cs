using NeuronHost.Sdk;

namespace NeuronHost.Kernels;

/// <summary>Probeless scores from class means (a few C² × D operations: host side).</summary>
internal static class ProbelessMath
{
    public static double[] Scores(ClassMoments m)
    {
        var scores = new double[m.Neurons];
        var present = Present(m);
        for (int i = 0; i < present.Length; i++)
            for (int j = i + 1; j < present.Length; j++)
            {
                var a = m.MeanOf(present[i]);
                var b = m.MeanOf(present[j]);
                for (int d = 0; d < m.Neurons; d++) scores[d] += Math.Abs(a[d] - b[d]);
            }
        return scores;
    }

    public static double[] PerClassScores(ClassMoments m)
    {
        var scores = new double[m.ClassCount * m.Neurons];
        var present = Present(m);
        // A class without tokens has no mean: its row is NaN.
        for (int z = 0; z < m.ClassCount; z++)
            if (m.Counts[z] == 0) scores.AsSpan(z * m.Neurons, m.Neurons).Fill(double.NaN);
        foreach (int z in present)
        {
            var row = scores.AsSpan(z * m.Neurons, m.Neurons);
            var a = m.MeanOf(z);
            foreach (int other in present)
            {
                if (other == z) continue;
                var b = m.MeanOf(other);
                for (int d = 0; d < m.Neurons; d++) row[d] += Math.Abs(a[d] - b[d]);
            }
        }
        return scores;
    }

    private static int[] Present(ClassMoments m) =>
        Enumerable.Range(0, m.ClassCount).Where(c => m.Counts[c] > 0).ToArray();
}
