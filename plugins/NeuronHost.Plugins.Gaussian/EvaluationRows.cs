using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Gaussian;

/// <summary>The tokens the greedy selection scores MI on: a seeded random subset (without
/// replacement, kept in row order) of the chosen split, restricted to classes seen in training.</summary>
public static class EvaluationRows
{
    public static (float[] X, int[] Y, int Rows) Gather(DataSplit split, bool[] activeClasses, int maxRows, int seed,
        CancellationToken cancellation)
    {
        var labels = split.Labels.Span;
        var eligible = new List<int>();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= 0 && labels[i] < activeClasses.Length && activeClasses[labels[i]]) eligible.Add(i);
        int[] rows = eligible.ToArray();
        if (maxRows > 0 && rows.Length > maxRows)
        {
            var rng = new Random(seed);
            for (int i = 0; i < maxRows; i++) { int j = rng.Next(i, rows.Length); (rows[i], rows[j]) = (rows[j], rows[i]); }
            rows = rows[..maxRows];
            Array.Sort(rows);
        }
        int d = split.Activations.Columns;
        var x = new float[(long)rows.Length * d];
        var y = new int[rows.Length];
        int next = 0;
        for (int b = 0; b < split.Activations.BlockCount && next < rows.Length; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            var block = split.Activations.GetBlock(b);
            while (next < rows.Length && rows[next] < block.FirstRow + block.Rows)
            {
                var src = block.Row((int)(rows[next] - block.FirstRow));
                for (int j = 0; j < d; j++)
                    if (!float.IsFinite(src[j])) throw new NonFiniteActivationException(rows[next], j, src[j]);
                src.CopyTo(x.AsSpan(next * d, d));
                y[next] = labels[rows[next]];
                next++;
            }
        }
        return (x, y, rows.Length);
    }
}
