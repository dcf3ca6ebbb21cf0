using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Tests;

/// <summary>Holders of rows that answer in this process, through the same bytes a cluster
/// carries, counting the messages (by operation) and the bytes both ways.</summary>
internal sealed class InProcessHolders(IReadOnlyList<IHeldRowsService> services, IReadOnlyList<IReadOnlyList<(long, long)>> ranges) : IRowHolders
{
    public long BytesSent, BytesReceived;
    public int Calls;
    public readonly Dictionary<HeldRowsOp, int> CallsByOp = [];
    public IReadOnlyList<IReadOnlyList<(long First, long End)>> Ranges => ranges;
    public string Name(int holder) => $"holder {holder}";

    public byte[]?[] Ask(IReadOnlyList<byte[]?> requests, CancellationToken cancellation = default)
    {
        var answers = new byte[]?[requests.Count];
        for (int h = 0; h < requests.Count; h++)
        {
            if (requests[h] is not { } r) continue;
            Calls++; BytesSent += r.Length;
            CallsByOp[(HeldRowsOp)r[0]] = CallsByOp.GetValueOrDefault((HeldRowsOp)r[0]) + 1;
            answers[h] = services[h].Answer(r, cancellation);
            BytesReceived += answers[h]!.Length;
        }
        return answers;
    }
}
