using System.Buffers;
using System.IO.MemoryMappedFiles;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Interop;

/// <summary>A float32 C-order [rows, columns] .npy file, memory-mapped, as an activation matrix
/// (blocks of <see cref="RowsPerBlock"/> rows pointing into the mapping).</summary>
public sealed unsafe class NpyMatrix : IActivationMatrix, IDisposable
{
    private readonly MemoryMappedFile? file;
    private readonly MemoryMappedViewAccessor? view;
    private readonly float* data;
    public const int RowsPerBlock = 4096;

    public string Path { get; }
    public long Rows { get; }
    public int Columns { get; }
    public IReadOnlyList<NeuronRef> Neurons { get; }
    public int BlockCount => (int)((Rows + RowsPerBlock - 1) / RowsPerBlock);

    public NpyMatrix(string path, IReadOnlyList<NeuronRef>? neurons = null)
    {
        Path = path;
        Npy.Header header;
        long length;
        using (var stream = File.OpenRead(path))
        {
            header = Npy.ReadHeader(stream, path);
            length = stream.Length;
        }
        if (header.Descr != "<f4") throw new FormatException($"{path}: dtype '{header.Descr}' — export float32 ('<f4'), e.g. x.astype(np.float32)");
        if (header.FortranOrder) throw new FormatException($"{path}: Fortran order — save a C-order array (np.ascontiguousarray)");
        if (header.Shape.Length != 2) throw new FormatException($"{path}: shape ({string.Join(", ", header.Shape)}) is not [tokens, neurons]");
        Rows = header.Shape[0];
        Columns = checked((int)header.Shape[1]);
        long expected = header.DataOffset + Rows * Columns * 4L;
        if (length < expected) throw new FormatException($"{path}: truncated: {length} bytes, shape ({Rows}, {Columns}) needs {expected}");
        Neurons = neurons ?? Enumerable.Range(0, Columns).Select(i => new NeuronRef("features", i)).ToArray();
        if (Neurons.Count != Columns) throw new FormatException($"{path}: {Columns} columns but {Neurons.Count} neuron names");
        if (Rows * Columns > 0)
        {
            file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            view = file.CreateViewAccessor(0, expected, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            data = (float*)(p + view.PointerOffset + header.DataOffset);
        }
    }

    public ActivationBlock GetBlock(int index)
    {
        long first = (long)index * RowsPerBlock;
        int rows = (int)Math.Min(RowsPerBlock, Rows - first);
        return new ActivationBlock(first, rows, Columns, new Floats(data + first * Columns, rows * Columns).Memory);
    }

    internal ReadOnlySpan<float> Row(long row) => new(data + row * Columns, Columns);

    /// <summary>The given rows (ascending) as a matrix, gathered block by block.</summary>
    public IActivationMatrix SelectRows(long[] rows) => new GatheredRows(this, rows);

    public void Dispose()
    {
        if (view is not null) { view.SafeMemoryMappedViewHandle.ReleasePointer(); view.Dispose(); }
        file?.Dispose();
    }

    private sealed class Floats(float* pointer, int length) : MemoryManager<float>
    {
        public override Span<float> GetSpan() => new(pointer, length);
        public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }

    /// <summary>Each block is a fresh array (imports are small enough for that).</summary>
    private sealed class GatheredRows(NpyMatrix source, long[] rows) : IActivationMatrix
    {
        public long Rows => rows.Length;
        public int Columns => source.Columns;
        public IReadOnlyList<NeuronRef> Neurons => source.Neurons;
        public int BlockCount => (rows.Length + RowsPerBlock - 1) / RowsPerBlock;

        public ActivationBlock GetBlock(int index)
        {
            int first = index * RowsPerBlock, count = Math.Min(RowsPerBlock, rows.Length - first);
            var buffer = new float[count * Columns];
            for (int i = 0; i < count; i++) source.Row(rows[first + i]).CopyTo(buffer.AsSpan(i * Columns, Columns));
            return new ActivationBlock(first, count, Columns, buffer);
        }
    }
}
