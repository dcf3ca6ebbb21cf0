using NeuronHost.Cluster.Contracts;
using NeuronHost.Sdk;

namespace NeuronHost.Cluster.Statistics;

/// <summary>The coordinator's merge of the silos' shard moments into the moments of all train
/// rows: per class and neuron, Chan, Golub &amp; LeVeque's pairwise update applied shard after
/// shard in shard-index order (a fixed order, so the same shards give the same bits whichever
/// silos computed them); the overall moments merge the classes in class order.</summary>
public static class ShardMomentsMerge
{
    public static ClassMoments Merge(IReadOnlyList<ShardMoments> shards, int classCount, int columns)
    {
        var ordered = shards.OrderBy(s => s.Shard).ToList();
        for (int i = 1; i < ordered.Count; i++)
            if (ordered[i].Shard == ordered[i - 1].Shard) throw new InvalidOperationException($"shard {ordered[i].Shard}'s moments given twice");
        foreach (var s in ordered)
            if (s.ClassCount != classCount || s.Columns != columns || s.Counts.Length != s.Classes.Length
                || s.Means.LongLength != (long)s.Classes.Length * columns || s.M2.LongLength != s.Means.LongLength
                || s.Classes.Any(c => c < 0 || c >= classCount))
                throw new InvalidOperationException($"shard {s.Shard}'s moments do not fit {classCount} classes × {columns} neurons");

        var counts = new long[classCount];
        var mean = new double[(long)classCount * columns];
        var m2 = new double[(long)classCount * columns];
        var min = Enumerable.Repeat(float.PositiveInfinity, columns).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, columns).ToArray();
        foreach (var s in ordered)
        {
            for (int i = 0; i < s.Classes.Length; i++)
            {
                int c = s.Classes[i];
                long na = counts[c], nb = s.Counts[i], n = na + nb;
                for (int j = 0; j < columns; j++)
                {
                    long at = (long)c * columns + j, from = (long)i * columns + j;
                    (mean[at], m2[at]) = Combine(na, mean[at], m2[at], nb, s.Means[from], s.M2[from]);
                }
                counts[c] = n;
            }
            for (int j = 0; j < s.Min.Length; j++) { min[j] = Math.Min(min[j], s.Min[j]); max[j] = Math.Max(max[j], s.Max[j]); }
        }

        var variance = new double[mean.LongLength];
        var overallMean = new double[columns];
        var overallVariance = new double[columns];
        for (int j = 0; j < columns; j++)
        {
            long n = 0;
            double om = 0, om2 = 0;
            for (int c = 0; c < classCount; c++)
            {
                long at = (long)c * columns + j;
                if (counts[c] == 0) { mean[at] = double.NaN; variance[at] = double.NaN; continue; }
                variance[at] = m2[at] / counts[c];
                (om, om2) = Combine(n, om, om2, counts[c], mean[at], m2[at]);
                n += counts[c];
            }
            overallMean[j] = n > 0 ? om : double.NaN;
            overallVariance[j] = n > 0 ? om2 / n : double.NaN;
            if (n == 0) { min[j] = float.NaN; max[j] = float.NaN; }
        }
        return new ClassMoments(classCount, columns, counts, mean, variance, overallMean, overallVariance, min, max);
    }

    /// <summary>Chan et al.: (n_a, mean_a, M2_a) ⊕ (n_b, mean_b, M2_b).</summary>
    public static (double Mean, double M2) Combine(long na, double meanA, double m2A, long nb, double meanB, double m2B)
    {
        if (nb == 0) return (meanA, m2A);
        if (na == 0) return (meanB, m2B);
        long n = na + nb;
        double delta = meanB - meanA;
        return (meanA + delta * nb / n, m2A + m2B + delta * delta * ((double)na * nb / n));
    }
}
