using System.Buffers;

namespace NeuronHost.Data.Store;

/// <summary>A small ring of pooled float buffers for blocks that must be converted (float16) or
/// gathered (row subsets). A block stays valid until <see cref="Capacity"/> further converted
/// blocks have been taken from the same matrix — enough for kernels that hold a block of each of
/// two matrices, or two blocks of one.</summary>
internal sealed class BlockBuffers(int floatsPerBuffer, int capacity = 4) : IDisposable
{
    private readonly float[]?[] buffers = new float[]?[capacity];
    private int next;
    public int Capacity => capacity;

    public float[] Take()
    {
        lock (buffers)
        {
            var buffer = buffers[next] ??= ArrayPool<float>.Shared.Rent(Math.Max(1, floatsPerBuffer));
            next = (next + 1) % buffers.Length;
            return buffer;
        }
    }

    public void Dispose()
    {
        lock (buffers)
            for (int i = 0; i < buffers.Length; i++)
                if (buffers[i] is { } b) { ArrayPool<float>.Shared.Return(b); buffers[i] = null; }
    }
}
