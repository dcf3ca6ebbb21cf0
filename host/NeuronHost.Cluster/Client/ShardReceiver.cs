using NeuronHost.Cluster.Contracts;

namespace NeuronHost.Cluster.Client;

/// <summary>The coordinator client's end of the shard rows: each silo's chunks of a shard go to
/// their own part file in a temporary folder; when the last chunk has arrived and the file has
/// exactly the shard's size it becomes the shard's file, and a receipt (who sent it) is kept for
/// the coordinator grain. A chunk outside the shard's size (a confused or hostile silo) is
/// refused; a shard that arrives again after it was complete (sent twice after a reassignment)
/// is counted and dropped. Counts the bytes received.</summary>
internal sealed class ShardReceiver(string jobId, string folder, IReadOnlyDictionary<int, long> expectedBytes) : IShardSink
{
    private readonly object gate = new();
    private readonly Dictionary<int, ShardReceipt> receipts = [];
    private long received;

    public long BytesReceived { get { lock (gate) return received; } }

    public string PathOf(int shard) => Path.Combine(folder, $"shard-{shard:D5}.f32");

    public bool Has(int shard) { lock (gate) return receipts.ContainsKey(shard); }

    /// <summary>Every shard complete so far, and from whom.</summary>
    public List<ShardReceipt> Receipts() { lock (gate) return receipts.Values.ToList(); }

    public Task Receive(string job, int shard, string silo, string incarnation, long offset, byte[] data, bool last)
    {
        if (job != jobId || !expectedBytes.TryGetValue(shard, out long size))
            throw new InvalidOperationException($"silo {silo} sent shard {shard} of run {job}, which this run does not have");
        if (offset < 0 || offset + data.LongLength > size || (last && offset + data.LongLength != size))
            throw new InvalidOperationException($"silo {silo} sent bytes {offset}–{offset + data.LongLength} of shard {shard}, which has {size}");
        string part = Path.Combine(folder, $"shard-{shard:D5}.{Sanitize(silo)}.part");
        lock (gate)
        {
            received += data.LongLength;
            if (receipts.ContainsKey(shard)) return Task.CompletedTask;
            using (var file = new FileStream(part, offset == 0 ? FileMode.Create : FileMode.Open, FileAccess.Write))
            {
                file.Position = offset;
                file.Write(data);
            }
            if (last && new FileInfo(part).Length == size)
            {
                File.Move(part, PathOf(shard));
                receipts[shard] = new ShardReceipt { Shard = shard, Silo = silo, Incarnation = incarnation, Bytes = size };
            }
        }
        return Task.CompletedTask;
    }

    private static string Sanitize(string silo) => string.Concat(silo.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
