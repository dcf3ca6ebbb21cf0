using NeuronHost.Sdk;

namespace NeuronHost.Data.Store;

/// <summary>Per-class moments by a plain block-by-block pass (Welford per value, float64): the
/// fallback and cross-check for <see cref="IComputeKernels.ClassMoments"/>. Labels of -1 count
/// only in the overall moments, as the SDK specifies.</summary>
public static class StreamingMoments
{
    public static ClassMoments Compute(IActivationMatrix x, ReadOnlySpan<int> labels, int classCount, CancellationToken cancellation = default)
    {
        if (labels.Length != x.Rows) throw new ArgumentException($"{labels.Length} labels for {x.Rows} rows");
        int d = x.Columns;
        var counts = new long[classCount];
        var mean = new double[classCount * d]; var m2 = new double[classCount * d];
        var omean = new double[d]; var om2 = new double[d];
        var min = Enumerable.Repeat(float.PositiveInfinity, d).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, d).ToArray();
        long total = 0;
        for (int b = 0; b < x.BlockCount; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            var block = x.GetBlock(b);
            for (int r = 0; r < block.Rows; r++)
            {
                var row = block.Row(r);
                int label = labels[(int)(block.FirstRow + r)];
                if (label >= classCount || label < -1) throw new ArgumentException($"label {label} at row {block.FirstRow + r} outside 0..{classCount - 1}");
                total++;
                long n = 0; int off = 0;
                if (label >= 0) { n = ++counts[label]; off = label * d; }
                for (int j = 0; j < d; j++)
                {
                    double v = row[j];
                    if (row[j] < min[j]) min[j] = row[j];
                    if (row[j] > max[j]) max[j] = row[j];
                    double delta = v - omean[j];
                    omean[j] += delta / total;
                    om2[j] += delta * (v - omean[j]);
                    if (label < 0) continue;
                    delta = v - mean[off + j];
                    mean[off + j] += delta / n;
                    m2[off + j] += delta * (v - mean[off + j]);
                }
            }
        }
        var variance = new double[classCount * d];
        for (int c = 0; c < classCount; c++)
            for (int j = 0; j < d; j++)
            {
                if (counts[c] == 0) { mean[c * d + j] = double.NaN; variance[c * d + j] = double.NaN; }
                else variance[c * d + j] = m2[c * d + j] / counts[c];
            }
        var ovar = om2.Select(v => total == 0 ? double.NaN : v / total).ToArray();
        return new ClassMoments(classCount, d, counts, mean, variance, omean, ovar, min, max);
    }
}
