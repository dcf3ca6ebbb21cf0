using System.Text.Json;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Linear;

/// <summary>The coordinator's stand-in for one holder of train rows: every call is one message
/// to its <see cref="LinearHeldRowsService"/> through the host's <see cref="IRowHolders"/>.</summary>
internal sealed class RemoteProbeRows(IRowHolders holders, int holder, IReadOnlyList<(long First, long End)> owned, int features,
    CancellationToken cancellation) : IProbeRows
{
    public IReadOnlyList<(long First, long End)> Ranges => owned;
    private string Name => holders.Name(holder);

    public int[] ClassCounts(int classes) => Read(Ask(new MessageWriter(HeldRowsOp.ClassCounts).Int(classes)), r => r.Ints(classes));

    public float[] RowValues(long row) => Read(Ask(new MessageWriter(HeldRowsOp.RowValues).Long(row)), r => r.Floats(features));

    public IReadOnlyList<MomentChunk> MomentChunks(float[] shift) => Read(Ask(new MessageWriter(HeldRowsOp.MomentChunks).Floats(shift)), r =>
    {
        int n = r.Int();
        if (n < 0 || n > owned.Sum(o => o.End - o.First) / ElasticNetTrainer.MomentChunkRows + owned.Count)
            throw new InvalidDataException($"{Name}: {n} moment chunks for its {owned.Sum(o => o.End - o.First)} rows");
        var chunks = new List<MomentChunk>(n);
        for (int i = 0; i < n; i++) chunks.Add(new MomentChunk(r.Long(), r.Floats(features), r.Floats(features)));
        return (IReadOnlyList<MomentChunk>)chunks;
    });

    public void ThrowIfNonFinite() => Read(Ask(new MessageWriter(HeldRowsOp.CheckFinite)), _ => 0);

    public void Prepare(int classes, int valid, int totalRows, float[] mean, float[] invStd, ElasticNetOptions options) =>
        Read(Ask(new MessageWriter(HeldRowsOp.Prepare).Int(classes).Int(valid).Int(totalRows).Floats(mean).Floats(invStd)
            .Bytes(JsonSerializer.SerializeToUtf8Bytes(options))), _ => 0);

    public PassSums SumPass(float[] w, float[] b) =>
        Read(Ask(new MessageWriter(HeldRowsOp.Pass).Floats(w).Floats(b)), r => PassSumsCodec.Decode(r.Bytes(), b.Length, features, Name));

    public (PassSums Sums, int Labelled) SumBatch(float[] w, float[] b, long first, int count) =>
        Read(Ask(new MessageWriter(HeldRowsOp.Batch).Floats(w).Floats(b).Long(first).Int(count)), r =>
        {
            int labelled = r.Int();
            if (labelled < 0 || labelled > count) throw new InvalidDataException($"{Name}: {labelled} labelled rows in a batch of {count}");
            return (PassSumsCodec.Decode(r.Bytes(), b.Length, features, Name), labelled);
        });

    public AdamState WarmUp(AdamState state, long first, long end, CancellationToken cancellation) =>
        Read(Ask(new MessageWriter(HeldRowsOp.WarmUp).Long(first).Long(end).Adam(state)), r => r.Adam(state.B.Length, features));

    private byte[] Ask(MessageWriter message) => Ask(holders, holder, message.ToArray(), cancellation);

    /// <summary>One message to one holder.</summary>
    public static byte[] Ask(IRowHolders holders, int holder, byte[] message, CancellationToken cancellation)
    {
        var requests = new byte[]?[holders.Ranges.Count];
        requests[holder] = message;
        return holders.Ask(requests, cancellation)[holder] ?? throw new InvalidDataException($"{holders.Name(holder)}: no answer");
    }

    private T Read<T>(byte[] answer, Func<MessageReader, T> read)
    {
        var r = new MessageReader(answer, Name);
        var value = read(r);
        r.End();
        return value;
    }
}
