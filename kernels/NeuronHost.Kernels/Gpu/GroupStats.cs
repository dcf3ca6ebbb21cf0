namespace NeuronHost.Kernels.Gpu;

/// <summary>Running float64 moments per group (groups 0..C-1 the classes, group C the rows
/// labelled -1) and min/max per column, merged task by task with Chan et al.'s pairwise formula.</summary>
internal sealed class GroupStats
{
    public readonly int Groups, Columns;
    public readonly long[] Count;
    public readonly double[] Mean, M2;
    public readonly float[] Min, Max;

    public GroupStats(int groups, int columns)
    {
        Groups = groups;
        Columns = columns;
        Count = new long[groups];
        Mean = new double[(long)groups * columns];
        M2 = new double[(long)groups * columns];
        Min = new float[columns];
        Max = new float[columns];
        Array.Fill(Min, float.PositiveInfinity);
        Array.Fill(Max, float.NegativeInfinity);
    }

    /// <summary>Adds one task of <paramref name="rows"/> rows of group <paramref name="group"/>:
    /// its per-column mean, M2, min and max.</summary>
    public void Merge(int group, int rows, ReadOnlySpan<double> mean, ReadOnlySpan<double> m2, ReadOnlySpan<float> min, ReadOnlySpan<float> max)
    {
        if (rows == 0) return;
        long na = Count[group];
        double nab = na + (double)rows, weight = rows / nab, cross = (double)na * rows / nab;
        var groupMean = Mean.AsSpan(group * Columns, Columns);
        var groupM2 = M2.AsSpan(group * Columns, Columns);
        for (int j = 0; j < Columns; j++)
        {
            double taskM2 = Math.Max(m2[j], 0);   // Σd² − (Σd)²/n can round just below 0
            if (na == 0) { groupMean[j] = mean[j]; groupM2[j] = taskM2; }
            else
            {
                double delta = mean[j] - groupMean[j];
                groupMean[j] += delta * weight;
                groupM2[j] += taskM2 + delta * delta * cross;
            }
            Min[j] = Math.Min(Min[j], min[j]);
            Max[j] = Math.Max(Max[j], max[j]);
        }
        Count[group] = na + rows;
    }

    /// <summary>All groups merged: overall mean and population variance (NaN without rows); an
    /// empty matrix also gets NaN min/max.</summary>
    public (double[] Mean, double[] Variance) Overall()
    {
        var mean = new double[Columns];
        var variance = new double[Columns];
        long total = Count.Sum();
        for (int j = 0; j < Columns; j++)
        {
            double n = 0, mu = 0, m2 = 0;
            for (int g = 0; g < Groups; g++)
            {
                long nb = Count[g];
                if (nb == 0) continue;
                double mb = Mean[(long)g * Columns + j], nab = n + nb, delta = mb - mu;
                mu += delta * nb / nab;
                m2 += M2[(long)g * Columns + j] + delta * delta * n * nb / nab;
                n = nab;
            }
            mean[j] = total == 0 ? double.NaN : mu;
            variance[j] = total == 0 ? double.NaN : m2 / total;
            if (total == 0) { Min[j] = float.NaN; Max[j] = float.NaN; }
        }
        return (mean, variance);
    }
}
