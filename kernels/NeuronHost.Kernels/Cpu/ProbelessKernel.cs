using System.Runtime.CompilerServices;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Probeless (Antverg &amp; Belinkov): sums of absolute differences of class means.
/// O(C²·D) on the moments, never on the activations.</summary>
internal static class ProbelessKernel
{
    // Fully optimised on first call (a plugin worker runs tiered; docs/plugin-isolation.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] Overall(ClassMoments m)
    {
        ArgumentNullException.ThrowIfNull(m);
        int c = m.ClassCount, d = m.Neurons;
        var scores = new double[d];
        for (int z = 0; z < c; z++)
        {
            if (m.Counts[z] == 0) continue;
            var mz = m.MeanOf(z);
            for (int z2 = z + 1; z2 < c; z2++)
            {
                if (m.Counts[z2] == 0) continue;
                var mz2 = m.MeanOf(z2);
                for (int j = 0; j < d; j++) scores[j] += Math.Abs(mz[j] - mz2[j]);
            }
        }
        return scores;
    }

    /// <summary>[C, D]; a class without tokens gets NaN (it has no mean).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] PerClass(ClassMoments m)
    {
        ArgumentNullException.ThrowIfNull(m);
        int c = m.ClassCount, d = m.Neurons;
        var scores = new double[(long)c * d];
        for (int z = 0; z < c; z++)
        {
            var row = scores.AsSpan(z * d, d);
            if (m.Counts[z] == 0) { row.Fill(double.NaN); continue; }
            var mz = m.MeanOf(z);
            for (int z2 = 0; z2 < c; z2++)
            {
                if (z2 == z || m.Counts[z2] == 0) continue;
                var mz2 = m.MeanOf(z2);
                for (int j = 0; j < d; j++) row[j] += Math.Abs(mz[j] - mz2[j]);
            }
        }
        return scores;
    }
}
