using NeuronHost.Cluster.Contracts;
using NeuronHost.Sdk;

namespace NeuronHost.Cluster.Statistics;

/// <summary>A silo's part of the class moments: the train rows of one shard file (float32
/// [rows, columns]) through the same kernel a local run uses, turned into (count, mean, M2) per
/// class present. Only the train rows are read into memory.</summary>
public static class ShardStatistics
{
    public static ShardMoments Compute(string shardFile, int shard, int columns, int classCount, int[] labels, IComputeKernels kernels, CancellationToken cancellation)
    {
        long bytes = new FileInfo(shardFile).Length;
        if (bytes != (long)labels.Length * columns * 4)
            throw new InvalidOperationException($"shard {shard}: {labels.Length} labels for a file of {bytes} bytes ({columns} columns)");
        int train = labels.Count(l => l >= 0);
        var values = new float[(long)train * columns];
        var trainLabels = new int[train];
        using (var file = File.OpenRead(shardFile))
        {
            var row = new byte[columns * 4];
            for (int r = 0, t = 0; r < labels.Length; r++)
            {
                if (labels[r] >= classCount) throw new InvalidOperationException($"shard {shard}: label {labels[r]} at row {r}, but {classCount} classes");
                if (labels[r] < 0) { file.Seek(row.Length, SeekOrigin.Current); continue; }
                file.ReadExactly(row);
                Buffer.BlockCopy(row, 0, values, t * row.Length, row.Length);
                trainLabels[t++] = labels[r];
            }
        }
        var result = new ShardMoments { Shard = shard, ClassCount = classCount, Columns = columns };
        if (train == 0) return result;
        var m = kernels.ClassMoments(new DenseActivationMatrix(values, train, columns), trainLabels, classCount, cancellation);
        var present = Enumerable.Range(0, classCount).Where(c => m.Counts[c] > 0).ToArray();
        result.Classes = present;
        result.Counts = present.Select(c => m.Counts[c]).ToArray();
        result.Means = new double[(long)present.Length * columns];
        result.M2 = new double[(long)present.Length * columns];
        for (int i = 0; i < present.Length; i++)
        {
            int c = present[i];
            m.MeanOf(c).CopyTo(result.Means.AsSpan(i * columns, columns));
            // The kernel reports population variances (M2 / n): M2 back, exact to an ulp.
            var variance = m.VarianceOf(c);
            for (int j = 0; j < columns; j++) result.M2[(long)i * columns + j] = variance[j] * m.Counts[c];
        }
        result.Min = m.Min;
        result.Max = m.Max;
        return result;
    }
}
