using ILGPU;
using ILGPU.Runtime;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Gpu;

/// <summary>One of the two buffer sets of a <see cref="ChunkStream"/>: its own accelerator
/// stream, page-locked host staging and device chunk buffer per matrix, and a non-finite flag.</summary>
internal sealed class ChunkSlot : IDisposable
{
    public required AcceleratorStream Stream { get; init; }
    public required PageLockedArray1D<float>[] Staging { get; init; }
    public required MemoryBuffer1D<float, Stride1D.Dense>[] Device { get; init; }
    public required MemoryBuffer1D<int, Stride1D.Dense> Bad { get; init; }
    public int Index { get; init; }
    public long FirstRow { get; set; }
    public int Rows { get; set; }

    /// <summary>The chunk's rows of matrix <paramref name="m"/> on the device.</summary>
    public ArrayView<float> Input(int m, int columns) => Device[m].View.SubView(0, Math.Max((long)Rows * columns, 1));

    /// <summary>After the stream has finished: throws the error naming the first non-finite
    /// value when a kernel flagged a row (found again in the host staging copy).</summary>
    public void ThrowIfFlagged(int matrix, int columns)
    {
        int row = Bad.View.GetAsArray1D(Stream)[0];
        if (row == int.MaxValue) return;
        var values = Staging[matrix].Span.Slice(row * columns, columns);
        for (int c = 0; c < columns; c++)
            if (!float.IsFinite(values[c])) throw new NonFiniteActivationException(FirstRow + row, c, values[c]);
        throw new InvalidOperationException($"the device reported a non-finite value in row {FirstRow + row} that the host copy does not have");
    }

    public void Dispose()
    {
        Stream.Synchronize();
        foreach (var s in Staging) s.Dispose();
        foreach (var d in Device) d.Dispose();
        Bad.Dispose();
        Stream.Dispose();
    }
}

/// <summary>Streams one or more matrices (same rows) through the device in chunks of at most
/// <see cref="RowsPerChunk"/> rows with two slots on two accelerator streams: while chunk i
/// computes on one stream, chunk i+1 is gathered into page-locked staging memory and uploaded
/// on the other; chunk i's results are merged on the host after its stream finishes. (On the
/// CPU accelerator the page-locked buffers are ordinary memory and the streams run in order.)</summary>
internal sealed class ChunkStream : IDisposable
{
    private readonly IActivationMatrix[] matrices;
    private readonly ChunkSlot[] slots = new ChunkSlot[2];

    public int RowsPerChunk { get; }

    public ChunkStream(Accelerator accelerator, IActivationMatrix[] matrices, int rowsPerChunk, string what)
    {
        this.matrices = matrices;
        long rows = matrices[0].Rows;
        foreach (var m in matrices)
            if (m.Rows != rows) throw new ArgumentException($"{what}: matrices have {rows} and {m.Rows} rows; they must cover the same tokens");
        RowsPerChunk = (int)Math.Max(1, Math.Min(rowsPerChunk, Math.Max(rows, 1)));
        try
        {
            for (int s = 0; s < 2; s++)
            {
                var sizes = matrices.Select(m => Math.Max((long)RowsPerChunk * m.Columns, 1)).ToArray();
                slots[s] = new ChunkSlot
                {
                    Index = s,
                    Stream = accelerator.CreateStream(),
                    Staging = sizes.Select(n => accelerator.AllocatePageLocked1D<float>(n)).ToArray(),
                    Device = sizes.Select(n => accelerator.Allocate1D<float>(n)).ToArray(),
                    Bad = accelerator.Allocate1D<int>(1),
                };
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Runs the chunks in order. <paramref name="enqueue"/> launches a chunk's kernels
    /// on its slot's stream (after the upload this class enqueued there);
    /// <paramref name="consume"/> runs once that stream has finished (chunk order), before the
    /// slot is reused.</summary>
    public void Run(Action<ChunkSlot> enqueue, Action<ChunkSlot> consume, CancellationToken cancellation)
    {
        long total = matrices[0].Rows;
        var readers = matrices.Select((m, i) => new BlockReader(m, matrices.Length == 1 ? "activation matrix" : $"activation matrix {(char)('a' + i)}")).ToArray();
        ChunkSlot? pending = null;
        int index = 0;
        try
        {
            for (long first = 0; first < total; first += RowsPerChunk, index++)
            {
                cancellation.ThrowIfCancellationRequested();
                var slot = slots[index & 1];
                slot.FirstRow = first;
                slot.Rows = (int)Math.Min(RowsPerChunk, total - first);
                for (int m = 0; m < matrices.Length; m++)
                {
                    long values = (long)slot.Rows * matrices[m].Columns;
                    if (values == 0) continue;
                    readers[m].Copy(first, slot.Rows, slot.Staging[m].Span);
                    slot.Device[m].View.SubView(0, values).CopyFrom(slot.Stream, slot.Staging[m].ArrayView.SubView(0, values));
                }
                slot.Bad.View.CopyFromCPU(slot.Stream, [int.MaxValue]);
                enqueue(slot);
                if (pending is not null) Complete(pending, consume);
                pending = slot;
            }
            if (pending is not null) Complete(pending, consume);
            pending = null;
        }
        finally
        {
            // An error or a cancellation: let the device finish with the buffers first.
            if (pending is not null) foreach (var s in slots) s?.Stream.Synchronize();
        }
    }

    private static void Complete(ChunkSlot slot, Action<ChunkSlot> consume)
    {
        slot.Stream.Synchronize();
        consume(slot);
    }

    public void Dispose()
    {
        foreach (var s in slots) s?.Dispose();
    }
}
