using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>Train rows of a linear probe that one holder sums (a <see cref="ProbeRowHolder"/>, a
/// silo's group of them, or the coordinator's proxy of a silo): ranges on the segment grid
/// (<see cref="GridOwnership"/>), and for them the answers of the whole problem's passes, which
/// merge over all holders into a local run's bits (<see cref="ElasticNetTrainer.FitOverHolders"/>).</summary>
internal interface IProbeRows
{
    /// <summary>The rows summed here, [First, End) in the whole problem, in order; each starts on the 512-row grid.</summary>
    IReadOnlyList<(long First, long End)> Ranges { get; }

    /// <summary>Labelled rows per class; refuses a label outside the classes, naming its row.</summary>
    int[] ClassCounts(int classes);

    /// <summary>The values of row <paramref name="row"/>, one of these rows (the moments' shift is the problem's first row).</summary>
    float[] RowValues(long row);

    /// <summary>Per 512-row chunk of these rows, its index in the whole problem and the float sums of x − shift and of their squares.</summary>
    IReadOnlyList<MomentChunk> MomentChunks(float[] shift);

    /// <summary>Names the first non-finite value here, if any, by its row in the whole problem.</summary>
    void ThrowIfNonFinite();

    /// <summary>Sets up the passes once the whole problem's labelled rows, rows and moments are known.</summary>
    void Prepare(int classes, int valid, int totalRows, float[] mean, float[] invStd, ElasticNetOptions options);

    /// <summary>The exact sums of a full pass over these rows.</summary>
    PassSums SumPass(float[] w, float[] b);

    /// <summary>A mini-batch's sums; [first, first + count) lies within one of <see cref="Ranges"/>.</summary>
    (PassSums Sums, int Labelled) SumBatch(float[] w, float[] b, long first, int count);

    /// <summary>Adam's warm-up steps on the batches from first before end, all of them in these
    /// rows (<see cref="HeldWarmUp"/>); returns the state after them.</summary>
    AdamState WarmUp(AdamState state, long first, long end, CancellationToken cancellation);
}

/// <summary>One 512-row chunk's column sums (of x − shift) and sums of squares.</summary>
internal sealed record MomentChunk(long Index, float[] Sums, float[] Squares);

/// <summary>Several holders' rows on one host (a silo with several shards): their answers merged
/// before they leave it, so a full pass sends one set of sums per host.</summary>
internal sealed class ProbeRowGroup(IReadOnlyList<IProbeRows> members) : IProbeRows
{
    public IReadOnlyList<(long First, long End)> Ranges { get; } = members.SelectMany(m => m.Ranges).OrderBy(r => r.First).ToList();

    public int[] ClassCounts(int classes)
    {
        var counts = new int[classes];
        foreach (var m in members)
        {
            var c = m.ClassCounts(classes);
            for (int k = 0; k < classes; k++) counts[k] += c[k];
        }
        return counts;
    }

    public float[] RowValues(long row) => Member(row, 1).RowValues(row);

    public IReadOnlyList<MomentChunk> MomentChunks(float[] shift) => members.SelectMany(m => m.MomentChunks(shift)).ToList();

    public void ThrowIfNonFinite() { foreach (var m in members) m.ThrowIfNonFinite(); }

    private PreparedPasses? prepared;

    public void Prepare(int classes, int valid, int totalRows, float[] mean, float[] invStd, ElasticNetOptions options)
    {
        foreach (var m in members) m.Prepare(classes, valid, totalRows, mean, invStd, options);
        prepared = new PreparedPasses(classes, valid, totalRows, mean, invStd, options);
    }

    public AdamState WarmUp(AdamState state, long first, long end, CancellationToken cancellation) =>
        HeldWarmUp.Steps(this, prepared, state, first, end, cancellation);

    public PassSums SumPass(float[] w, float[] b)
    {
        PassSums? total = null;
        foreach (var m in members)
            if (total is null) total = m.SumPass(w, b); else total.Merge(m.SumPass(w, b));
        return total ?? throw new InvalidOperationException("a group of no rows was asked for a pass");
    }

    public (PassSums Sums, int Labelled) SumBatch(float[] w, float[] b, long first, int count) => Member(first, count).SumBatch(w, b, first, count);

    private IProbeRows Member(long first, int count) =>
        members.FirstOrDefault(m => m.Ranges.Any(r => r.First <= first && first + count <= r.End))
        ?? throw new ArgumentOutOfRangeException(nameof(first), $"rows [{first}, {first + count}) are not all in one range held here");
}
