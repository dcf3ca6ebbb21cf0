using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>The train rows one holder (a cluster's silo) sums for a linear probe trained over
/// several holders (<see cref="ElasticNetTrainer.FitOverHolders"/>): rows [FirstRow, FirstRow +
/// Rows) of the whole problem, FirstRow on the segment grid (<see cref="GridOwnership"/>). Every
/// answer is what the whole problem's pass computes for these rows, so the answers of all
/// holders merge into a local run's bits.</summary>
internal sealed class ProbeRowHolder : IProbeRows
{
    private readonly float[] _x;
    private readonly int[] _y;
    private SoftmaxObjective? _problem;
    private PreparedPasses? _prepared;

    public int FirstRow { get; }
    public int Rows { get; }
    public int Features { get; }
    public IReadOnlyList<(long First, long End)> Ranges { get; }

    /// <param name="x">[rows, features] row-major, not modified.</param>
    public ProbeRowHolder(float[] x, int[] labels, int features, int firstRow)
    {
        if ((long)labels.Length * features != x.Length) throw new ArgumentException($"x has {x.Length} values, not {labels.Length} × {features}");
        if (firstRow % ElasticNetTrainer.MomentChunkRows != 0)
            throw new ArgumentException($"a holder's rows start at {firstRow}, off the {ElasticNetTrainer.MomentChunkRows}-row grid");
        _x = x; _y = labels; Features = features; FirstRow = firstRow; Rows = labels.Length;
        Ranges = Rows == 0 ? [] : [(firstRow, firstRow + Rows)];
    }

    public int[] ClassCounts(int classes) => ElasticNetTrainer.ClassCounts(_y, classes, FirstRow);

    public float[] RowValues(long row)
    {
        if (row < FirstRow || row >= FirstRow + Rows) throw new ArgumentOutOfRangeException(nameof(row), $"row {row} is not in this holder's [{FirstRow}, {FirstRow + Rows})");
        return _x.AsSpan((int)(row - FirstRow) * Features, Features).ToArray();
    }

    public IReadOnlyList<MomentChunk> MomentChunks(float[] shift)
    {
        var (sums, squares) = ElasticNetTrainer.MomentChunks(_x, Rows, Features, shift);
        long first = FirstRow / ElasticNetTrainer.MomentChunkRows;
        return sums.Select((s, i) => new MomentChunk(first + i, s, squares[i])).ToList();
    }

    public void ThrowIfNonFinite() => ElasticNetTrainer.ThrowIfNonFinite(_x, Rows, Features, FirstRow);

    public void Prepare(int classes, int valid, int totalRows, float[] mean, float[] invStd, ElasticNetOptions options)
    {
        _problem = new SoftmaxObjective(_x, Rows, Features, classes, _y, valid, mean, invStd, options, options.Partitions, totalRows);
        _prepared = new PreparedPasses(classes, valid, totalRows, mean, invStd, options);
    }

    public AdamState WarmUp(AdamState state, long first, long end, CancellationToken cancellation) =>
        HeldWarmUp.Steps(this, _prepared, state, first, end, cancellation);

    public PassSums SumPass(float[] w, float[] b) => Problem.SumPass(w, b, 0, Rows);

    public (PassSums Sums, int Labelled) SumBatch(float[] w, float[] b, long first, int count)
    {
        if (first < FirstRow || first + count > FirstRow + Rows)
            throw new ArgumentOutOfRangeException(nameof(first), $"rows [{first}, {first + count}) are not all in this holder's [{FirstRow}, {FirstRow + Rows})");
        return Problem.SumBatch(w, b, (int)(first - FirstRow), count);
    }

    private SoftmaxObjective Problem => _problem ?? throw new InvalidOperationException("Prepare the holder before asking for passes");
}
