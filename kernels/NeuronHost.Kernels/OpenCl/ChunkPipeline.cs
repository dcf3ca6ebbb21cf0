using System.Buffers;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.OpenCl;

/// <summary>A run of rows of one matrix inside one activation block.</summary>
internal readonly record struct Piece(ReadOnlyMemory<float> Data, int RowOffset, int Rows);

/// <summary>Walks a matrix's blocks in order and cuts any row range into pieces of blocks, so a
/// chunk can span several small blocks or be a part of one large block.</summary>
internal sealed class RowCursor(IActivationMatrix matrix, string name)
{
    private int nextBlock;
    private ActivationBlock current;
    private bool hasCurrent;

    public void Take(long first, int count, List<Piece> pieces)
    {
        int columns = matrix.Columns;
        long end = first + count, r = first;
        while (r < end)
        {
            if (!hasCurrent || r >= current.FirstRow + current.Rows)
            {
                if (nextBlock >= matrix.BlockCount)
                    throw new InvalidDataException($"{name}: blocks end before row {r} of {matrix.Rows}");
                current = matrix.GetBlock(nextBlock++);
                hasCurrent = true;
                if (current.Columns != columns || current.Data.Length < (long)current.Rows * columns)
                    throw new InvalidDataException($"{name}: block {nextBlock - 1} is {current.Rows} × {current.Columns} with {current.Data.Length} values, not rows × {columns}");
                continue;
            }
            if (r < current.FirstRow)
                throw new InvalidDataException($"{name}: block {nextBlock - 1} starts at row {current.FirstRow}, expected {r} (blocks must cover the rows in order)");
            int offset = (int)(r - current.FirstRow);
            int n = (int)Math.Min(end - r, current.Rows - offset);
            pieces.Add(new Piece(current.Data.Slice(offset * columns, n * columns), (int)(r - first), n));
            r += n;
        }
    }
}

/// <summary>One chunk of rows in flight: its pieces (pinned until the chunk completes), the
/// events of its uploads, and the event after which its results are on the host.</summary>
internal sealed class Chunk(long firstRow, int rows, int matrices)
{
    public long FirstRow { get; } = firstRow;
    public int Rows { get; } = rows;
    public List<Piece>[] Pieces { get; } = Enumerable.Range(0, matrices).Select(_ => new List<Piece>()).ToArray();
    public List<ClEvent> Uploads { get; } = [];
    public ClEvent Done { get; set; }
    internal readonly List<MemoryHandle> Pins = [];

    /// <summary>Throws the error naming the first non-finite value of chunk-local row
    /// <paramref name="localRow"/> (found on the host, from the pinned piece).</summary>
    public void ThrowIfNonFinite(int matrix, int localRow, int columns)
    {
        if (localRow == int.MaxValue) return;
        foreach (var p in Pieces[matrix])
        {
            if (localRow < p.RowOffset || localRow >= p.RowOffset + p.Rows) continue;
            var row = p.Data.Span.Slice((localRow - p.RowOffset) * columns, columns);
            for (int c = 0; c < columns; c++)
                if (!float.IsFinite(row[c])) throw new NonFiniteActivationException(FirstRow + localRow, c, row[c]);
        }
        throw new InvalidOperationException($"device reported a non-finite value in row {FirstRow + localRow} that the host copy does not have");
    }

    public void Release()
    {
        foreach (var e in Uploads) e.Release();
        Uploads.Clear();
        Done.Release();
        Done = default;
        foreach (var p in Pins) p.Dispose();
        Pins.Clear();
    }
}

/// <summary>Streams one or more matrices (same rows) through the device in chunks of at most
/// <c>rowsPerChunk</c> rows with two buffer slots: chunk i+1 is uploaded on the transfer queue
/// while chunk i computes on the compute queue; the host merges chunk i-1's results meanwhile.</summary>
internal sealed unsafe class ChunkPipeline : IDisposable
{
    private readonly ClContext ctx;
    private readonly IActivationMatrix[] matrices;
    private readonly ClBuffer[][] slots;

    public int RowsPerChunk { get; }

    public ChunkPipeline(ClContext ctx, IActivationMatrix[] matrices, int rowsPerChunk, OpenClOptions options, string what)
    {
        this.ctx = ctx;
        this.matrices = matrices;
        long rows = matrices[0].Rows;
        foreach (var m in matrices)
            if (m.Rows != rows) throw new ArgumentException($"{what}: matrices have {rows} and {m.Rows} rows; they must cover the same tokens");
        RowsPerChunk = (int)Math.Max(1, Math.Min(rowsPerChunk, Math.Max(rows, 1)));
        slots = new ClBuffer[2][];
        try
        {
            for (int s = 0; s < 2; s++)
            {
                slots[s] = new ClBuffer[matrices.Length];
                for (int m = 0; m < matrices.Length; m++)
                {
                    long bytes = (long)RowsPerChunk * matrices[m].Columns * sizeof(float);
                    if (options.SimulatedAllocationLimitBytes is { } limit && bytes > limit)
                        throw new OpenClException("clCreateBuffer", ClErrors.MemObjectAllocationFailure,
                            $"for '{what} chunk' ({bytes:N0} bytes; simulated device limit {limit:N0})");
                    slots[s][m] = ctx.RentChunkBuffer(bytes, $"{what} chunk {s}.{m}");
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Runs the chunks. <paramref name="enqueue"/> enqueues the kernels of a chunk on
    /// the compute queue (waiting on <see cref="Chunk.Uploads"/>), any extra uploads and the
    /// reads of its results, and returns the event after which they are on the host;
    /// <paramref name="consume"/> merges them (called in chunk order).</summary>
    public void Run(Func<int, Chunk, ClBuffer[], ClEvent> enqueue, Action<int, Chunk> consume,
        CancellationToken cancellation, IProgress<long>? rowsDone = null)
    {
        long total = matrices[0].Rows;
        var cursors = matrices.Select((m, i) => new RowCursor(m, matrices.Length == 1 ? "activation matrix" : $"activation matrix {(char)('a' + i)}")).ToArray();
        Chunk? pending = null;
        int pendingSlot = 0, index = 0;
        var inFlight = new List<Chunk>();
        try
        {
            for (long first = 0; first < total; first += RowsPerChunk, index++)
            {
                cancellation.ThrowIfCancellationRequested();
                int slot = index & 1;
                int rows = (int)Math.Min(RowsPerChunk, total - first);
                var chunk = new Chunk(first, rows, matrices.Length);
                inFlight.Add(chunk);
                for (int m = 0; m < matrices.Length; m++)
                {
                    cursors[m].Take(first, rows, chunk.Pieces[m]);
                    int columns = matrices[m].Columns;
                    foreach (var piece in chunk.Pieces[m])
                    {
                        if (piece.Rows == 0 || columns == 0) continue;
                        var pin = piece.Data.Pin();
                        chunk.Pins.Add(pin);
                        chunk.Uploads.Add(ctx.WriteAsync(ctx.TransferQueue, slots[slot][m], (long)piece.RowOffset * columns * sizeof(float),
                            pin.Pointer, (long)piece.Rows * columns * sizeof(float)));
                    }
                }
                ClErrors.Check(ctx.Api.Flush(ctx.TransferQueue), "clFlush", "(transfer queue)");
                chunk.Done = enqueue(slot, chunk, slots[slot]);
                ClErrors.Check(ctx.Api.Flush(ctx.ComputeQueue), "clFlush", "(compute queue)");
                if (pending is not null) Complete(pending, pendingSlot, consume, inFlight, rowsDone);
                pending = chunk;
                pendingSlot = slot;
            }
            if (pending is not null) Complete(pending, pendingSlot, consume, inFlight, rowsDone);
        }
        finally
        {
            if (inFlight.Count > 0)
            {
                // An error or a cancellation: let the device finish with the pinned memory first.
                try { ctx.Finish(); } catch (OpenClException) { }
                foreach (var c in inFlight) c.Release();
            }
        }
    }

    private static void Complete(Chunk chunk, int slot, Action<int, Chunk> consume, List<Chunk> inFlight, IProgress<long>? rowsDone)
    {
        chunk.Done.Wait($"(chunk at row {chunk.FirstRow})");
        consume(slot, chunk);
        chunk.Release();
        inFlight.Remove(chunk);
        rowsDone?.Report(chunk.FirstRow + chunk.Rows);
    }

    public void Dispose()
    {
        foreach (var slot in slots)
            if (slot is not null)
                foreach (var b in slot)
                    if (b is not null) ctx.ReturnChunkBuffer(b);
    }
}
