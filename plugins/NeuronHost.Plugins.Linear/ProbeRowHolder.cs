using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>The train rows one holder (a cluster's silo) sums for a linear probe trained over
/// several holders (<see cref="ElasticNetTrainer.FitOverHolders"/>): rows [FirstRow, FirstRow +
/// Rows) of the whole problem, FirstRow on the segment grid (<see cref="GridOwnership"/>). Every
/// answer is what the whole problem's pass computes for these rows, so the answers of all
/// holders merge into a local run's bits.</summary>
internal sealed class ProbeRowHolder
{
    private readonly float[] _x;
    private readonly int[] _y;
    private SoftmaxObjective? _problem;

    public int FirstRow { get; }
    public int Rows { get; }
    public int Features { get; }

    /// <param name="x">[rows, features] row-major, not modified.</param>
    public ProbeRowHolder(float[] x, int[] labels, int features, int firstRow)
    {
        if ((long)labels.Length * features != x.Length) throw new ArgumentException($"x has {x.Length} values, not {labels.Length} × {features}");
        if (firstRow % ElasticNetTrainer.MomentChunkRows != 0)
            throw new ArgumentException($"a holder's rows start at {firstRow}, off the {ElasticNetTrainer.MomentChunkRows}-row grid");
        _x = x; _y = labels; Features = features; FirstRow = firstRow; Rows = labels.Length;
    }

    /// <summary>Labelled rows per class; refuses a label outside the classes, naming its row.</summary>
    public int[] ClassCounts(int classes) => ElasticNetTrainer.ClassCounts(_y, classes, FirstRow);

    /// <summary>This holder's first row, the shift of the moments when it holds row 0.</summary>
    public float[] FirstRowValues() => _x.AsSpan(0, Features).ToArray();

    public (float[][] Sums, float[][] Squares) MomentChunks(float[] shift) => ElasticNetTrainer.MomentChunks(_x, Rows, Features, shift);

    /// <summary>Names the first non-finite value here, if any, by its row in the whole problem.</summary>
    public void ThrowIfNonFinite() => ElasticNetTrainer.ThrowIfNonFinite(_x, Rows, Features, FirstRow);

    /// <summary>Sets up the passes once the whole problem's labelled rows, rows and moments are known.</summary>
    public void Prepare(int classes, int valid, int totalRows, float[] mean, float[] invStd, ElasticNetOptions options)
        => _problem = new SoftmaxObjective(_x, Rows, Features, classes, _y, valid, mean, invStd, options, options.Partitions, totalRows);

    public PassSums SumPass(ReadOnlySpan<float> w, ReadOnlySpan<float> b) => Problem.SumPass(w, b, 0, Rows);

    /// <summary>A mini-batch's sums; first and count in the whole problem's rows, within this holder's.</summary>
    public (PassSums Sums, int Labelled) SumBatch(ReadOnlySpan<float> w, ReadOnlySpan<float> b, int first, int count)
    {
        if (first < FirstRow || first + count > FirstRow + Rows)
            throw new ArgumentOutOfRangeException(nameof(first), $"rows [{first}, {first + count}) are not all in this holder's [{FirstRow}, {FirstRow + Rows})");
        return Problem.SumBatch(w, b, first - FirstRow, count);
    }

    private SoftmaxObjective Problem => _problem ?? throw new InvalidOperationException("Prepare the holder before asking for passes");
}
