using System.Buffers;

namespace NeuronHost.Data.Store;

/// <summary>Pooled float buffers for blocks that must be converted (float16) or gathered (row
/// subsets). Buffers are recycled oldest first, but only while the newer buffers still hold at
/// least <see cref="MinLiveValues"/> values and <see cref="MinLiveBuffers"/> buffers: a block stays
/// valid until that much newer block data has been handed out by the same matrix. That covers
/// kernels that hold a block of each of two matrices, or group small blocks (the CPU kernels
/// group up to 4M values), while memory stays bounded by about MinLiveValues + one block.</summary>
internal sealed class BlockBuffers : IDisposable
{
    public const long MinLiveValues = 16L << 20; // 64 MiB of float32
    public const int MinLiveBuffers = 4;
    private readonly Queue<float[]> live = new();
    private long liveValues;

    public float[] Take(int values)
    {
        lock (live)
        {
            float[]? buffer = null;
            if (live.Count > MinLiveBuffers && liveValues - live.Peek().Length >= MinLiveValues)
            {
                var oldest = live.Dequeue();
                liveValues -= oldest.Length;
                if (oldest.Length >= values) buffer = oldest;
                else ArrayPool<float>.Shared.Return(oldest);
            }
            buffer ??= ArrayPool<float>.Shared.Rent(Math.Max(1, values));
            live.Enqueue(buffer);
            liveValues += buffer.Length;
            return buffer;
        }
    }

    public void Dispose()
    {
        lock (live)
        {
            while (live.Count > 0) ArrayPool<float>.Shared.Return(live.Dequeue());
            liveValues = 0;
        }
    }
}
