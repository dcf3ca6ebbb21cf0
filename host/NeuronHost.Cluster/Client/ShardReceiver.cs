using NeuronHost.Cluster.Contracts;

namespace NeuronHost.Cluster.Client;

/// <summary>The coordinator client's end of the shard rows: each silo's chunks of a shard go to
/// their own part file in a temporary folder; when the last chunk has arrived and the file has
/// exactly the shard's size it becomes the shard's file, and a receipt (who sent it) is kept for
/// the coordinator grain. A chunk outside the shard's size (a confused or hostile silo) is
/// refused; a shard that arrives again after it was complete (sent twice after a reassignment)
/// is counted and dropped. Counts the bytes received. With <paramref name="trainLabels"/> it also
/// hands each silo its shard's train labels and keeps the first class moments each shard sends;
/// a shard is then complete when both its rows and its moments are here.</summary>
internal sealed class ShardReceiver(string jobId, string folder, IReadOnlyDictionary<int, long> expectedBytes,
    IReadOnlyDictionary<int, int[]>? trainLabels = null, int classCount = 0, int columns = 0, bool rowsWanted = true) : IShardSink
{
    private readonly object gate = new();
    private readonly Dictionary<int, ShardReceipt> receipts = [];
    private readonly Dictionary<int, ShardReceipt> rowsHere = [];
    private readonly Dictionary<int, ShardMoments> moments = [];
    private long received, momentBytes, labelBytes;

    public long BytesReceived { get { lock (gate) return received; } }
    /// <summary>Class-moment payload bytes received (a shard sent twice counts twice).</summary>
    public long MomentBytesReceived { get { lock (gate) return momentBytes; } }
    /// <summary>Train-label bytes handed to the silos.</summary>
    public long LabelBytesSent { get { lock (gate) return labelBytes; } }

    /// <summary>Every shard's moments, in shard order (call when every shard is complete).</summary>
    public List<ShardMoments> Moments() { lock (gate) return moments.OrderBy(kv => kv.Key).Select(kv => kv.Value).ToList(); }

    public Task<int[]> TrainLabels(string job, int shard)
    {
        if (job != jobId || trainLabels is null || !trainLabels.TryGetValue(shard, out var labels))
            throw new InvalidOperationException($"a silo asked for the train labels of shard {shard} of run {job}, which this run does not have");
        lock (gate) labelBytes += labels.LongLength * 4;
        return Task.FromResult(labels);
    }

    public Task ReceiveMoments(string job, int shard, string silo, string incarnation, ShardMoments m)
    {
        if (job != jobId || trainLabels is null || !trainLabels.ContainsKey(shard))
            throw new InvalidOperationException($"silo {silo} sent class moments of shard {shard} of run {job}, which this run does not ask for");
        if (m.Shard != shard || m.ClassCount != classCount || m.Columns != columns || m.Counts.Length != m.Classes.Length
            || m.Means.LongLength != (long)m.Classes.Length * columns || m.M2.LongLength != m.Means.LongLength
            || m.Counts.Sum() != trainLabels[shard].Count(l => l >= 0))
            throw new InvalidOperationException($"silo {silo} sent class moments of shard {shard} that do not fit its {trainLabels[shard].Count(l => l >= 0)} train rows × {columns} neurons, {classCount} classes");
        lock (gate)
        {
            momentBytes += m.PayloadBytes;
            if (moments.ContainsKey(shard)) return Task.CompletedTask;
            moments[shard] = m;
            if (rowsHere.TryGetValue(shard, out var receipt)) receipts[shard] = receipt;
            else if (!rowsWanted) receipts[shard] = new ShardReceipt { Shard = shard, Silo = silo, Incarnation = incarnation };
        }
        return Task.CompletedTask;
    }

    public string PathOf(int shard) => Path.Combine(folder, $"shard-{shard:D5}.f32");

    public bool Has(int shard) { lock (gate) return receipts.ContainsKey(shard); }

    /// <summary>Every shard complete so far, and from whom.</summary>
    public List<ShardReceipt> Receipts() { lock (gate) return receipts.Values.ToList(); }

    public Task Receive(string job, int shard, string silo, string incarnation, long offset, byte[] data, bool last)
    {
        if (!rowsWanted) throw new InvalidOperationException($"silo {silo} sent rows of shard {shard}, but this run keeps the rows on the silos");
        if (job != jobId || !expectedBytes.TryGetValue(shard, out long size))
            throw new InvalidOperationException($"silo {silo} sent shard {shard} of run {job}, which this run does not have");
        if (offset < 0 || offset + data.LongLength > size || (last && offset + data.LongLength != size))
            throw new InvalidOperationException($"silo {silo} sent bytes {offset}–{offset + data.LongLength} of shard {shard}, which has {size}");
        string part = Path.Combine(folder, $"shard-{shard:D5}.{Sanitize(silo)}.part");
        lock (gate)
        {
            received += data.LongLength;
            if (rowsHere.ContainsKey(shard)) return Task.CompletedTask;
            using (var file = new FileStream(part, offset == 0 ? FileMode.Create : FileMode.Open, FileAccess.Write))
            {
                file.Position = offset;
                file.Write(data);
            }
            if (last && new FileInfo(part).Length == size)
            {
                File.Move(part, PathOf(shard));
                var receipt = new ShardReceipt { Shard = shard, Silo = silo, Incarnation = incarnation, Bytes = size };
                rowsHere[shard] = receipt;
                if (trainLabels is null || moments.ContainsKey(shard)) receipts[shard] = receipt;
            }
        }
        return Task.CompletedTask;
    }

    private static string Sanitize(string silo) => string.Concat(silo.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
