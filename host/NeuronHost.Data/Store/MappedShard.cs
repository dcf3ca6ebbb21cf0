using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace NeuronHost.Data.Store;

/// <summary>One shard file mapped read-only. <see cref="Release"/> tells the kernel the pages
/// may leave this process's resident set (madvise DONTNEED): the mapping stays valid and pages
/// come back from the page cache on the next access, so blocks handed out earlier never dangle,
/// yet a pass over a store larger than RAM keeps a bounded RSS.</summary>
internal sealed unsafe partial class MappedShard : IDisposable
{
    private readonly MemoryMappedFile file;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* pointer;
    public long Length { get; }
    public string Path { get; }

    public MappedShard(string path, long expectedBytes)
    {
        Path = path;
        long length = File.Exists(path) ? new FileInfo(path).Length : -1;
        if (length < 0) throw new StoreFormatException(path, "missing (the manifest lists it)");
        if (length != expectedBytes)
            throw new StoreFormatException(path, $"truncated or damaged: {length} bytes, the manifest says {expectedBytes}");
        Length = length;
        file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        pointer = p + view.PointerOffset;
    }

    public byte* Pointer => pointer;

    public ReadOnlySpan<byte> Bytes(long offset, int count) => new(pointer + offset, count);

    public void Release()
    {
        if (!OperatingSystem.IsLinux()) return;
        long page = Environment.SystemPageSize;
        nint start = (nint)pointer & ~(nint)(page - 1);
        long length = (long)((byte*)pointer - (byte*)start) + Length;
        _ = madvise(start, (nuint)length, 4 /* MADV_DONTNEED */);
    }

    [LibraryImport("libc")]
    private static partial int madvise(nint address, nuint length, int advice);

    public void Dispose()
    {
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        file.Dispose();
    }
}

/// <summary>Memory&lt;float&gt; over memory the store owns (a mapped shard).</summary>
internal sealed unsafe class UnmanagedFloats(float* pointer, int length) : MemoryManager<float>
{
    public override Span<float> GetSpan() => new(pointer, length);
    public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);
    public override void Unpin() { }
    protected override void Dispose(bool disposing) { }
}
