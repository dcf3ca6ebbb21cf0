using System.IO.MemoryMappedFiles;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NeuronHost.Runtime.Models.Safetensors;

/// <summary>One tensor entry of a safetensors header.</summary>
public sealed record TensorEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>A memory-mapped .safetensors file: an 8-byte little-endian header length, a JSON
/// header {name: {dtype, shape, data_offsets}}, then the raw data. The header is validated
/// (<see cref="SafetensorsHeader"/>) when the file is opened.</summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile map;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* basePointer;
    private readonly long dataStart;
    private SafeFileHandle? handle;   // opened on the first F16/BF16 tensor
    private readonly List<nint> owned = [];   // native memory of converted tensors
    private bool disposed;

    public string Path { get; }
    public long FileSize { get; }
    /// <summary>The raw header bytes (for the model identity hash).</summary>
    public byte[] HeaderBytes { get; }
    public IReadOnlyDictionary<string, TensorEntry> Entries { get; }

    public static int DTypeSize(string dtype) => SafetensorsHeader.DTypeSize(dtype);

    public SafetensorsFile(string path)
    {
        Path = path;
        if (!File.Exists(path)) throw new ModelLoadException(path, null, "safetensors file not found");
        FileSize = new FileInfo(path).Length;
        if (FileSize < 8) throw new ModelLoadException(path, null, $"truncated: {FileSize} bytes, not even the 8-byte header length");
        HeaderBytes = ReadHeader(path, FileSize);
        dataStart = 8 + HeaderBytes.Length;
        Entries = SafetensorsHeader.Parse(path, HeaderBytes, FileSize - dataStart);
        map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        basePointer = p + view.PointerOffset;
    }

    private static byte[] ReadHeader(string path, long fileSize)
    {
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength > SafetensorsHeader.MaxHeaderBytes)
            throw new ModelLoadException(path, null, $"header of {headerLength} bytes is over the format's limit of {SafetensorsHeader.MaxHeaderBytes} bytes");
        if (headerLength > (ulong)(fileSize - 8))
            throw new ModelLoadException(path, null, $"truncated or corrupt: header claims {headerLength} bytes but the file has only {fileSize - 8} after the length");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        return header;
    }

    /// <summary>The tensor as float32: a zero-copy view for F32, a converted pinned copy for
    /// F16/BF16; any other dtype is an error naming the tensor.</summary>
    public Weight Read(TensorEntry entry)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        long count = entry.Shape.Aggregate(1L, (a, b) => a * b);
        if (count > int.MaxValue) throw new ModelLoadException(Path, entry.Name, $"{count} values are more than one tensor may hold here");
        int n = (int)count;
        int[] shape = entry.Shape.Select(d => (int)d).ToArray();
        byte* source = basePointer + dataStart + entry.Begin;
        switch (entry.DType)
        {
            case "F32" when (nint)source % sizeof(float) == 0:
                return new Weight(entry.Name, shape, (float*)source, n);
            case "F32":
            {
                // An unpadded header leaves the data unaligned: copy rather than read through a misaligned float*.
                var values = GC.AllocateUninitializedArray<float>(Math.Max(n, 1), pinned: true);
                new ReadOnlySpan<byte>(source, checked(n * sizeof(float))).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
                return new Weight(entry.Name, shape, values);
            }
            case "F16" or "BF16":
                return ReadWidened(entry, shape, n);
            default:
                throw new ModelLoadException(Path, entry.Name, $"unsupported dtype {entry.DType} (F32, F16 and BF16 are supported)");
        }
    }

    /// <summary>Values converted per chunk.</summary>
    private const int WidenChunk = 1 << 20;

    /// <summary>An F16/BF16 tensor as float32, read with pread in 2 MB chunks (not through the
    /// mapping: pages read through it stay in this process's resident set beside the converted
    /// copy, 6.2 GiB for TinyLlama-1.1B's 4.1 GiB of float32) and widened on every core, into
    /// native memory this file frees when it is disposed (as the mapping behind F32 weights is).
    /// Filling 4.4 GB in 22 MB pieces took 2.1–3.0 s in native memory against 5.8–12.2 s in pinned
    /// GC arrays here (every large allocation counts toward a full collection); in the TinyLlama
    /// load itself the two were within the noise, both bound by the kernel's page faults.</summary>
    private Weight ReadWidened(TensorEntry entry, int[] shape, int n)
    {
        var values = (float*)NativeMemory.Alloc((nuint)Math.Max(n, 1), sizeof(float));
        lock (owned)
        {
            owned.Add((nint)values);
            handle ??= File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        var file = handle;
        long start = dataStart + entry.Begin;
        bool brain = entry.DType == "BF16";
        int chunks = (n + WidenChunk - 1) / WidenChunk;
        Parallel.For(0, chunks, () => new ushort[Math.Min(WidenChunk, n)], (c, _, buffer) =>
        {
            int first = c * WidenChunk, count = Math.Min(WidenChunk, n - first);
            var raw = buffer.AsSpan(0, count);
            var bytes = MemoryMarshal.AsBytes(raw);
            for (int done = 0; done < bytes.Length;)
            {
                int read = RandomAccess.Read(file, bytes[done..], start + 2L * first + done);
                if (read == 0) throw new ModelLoadException(Path, entry.Name, "the file ended inside this tensor's data");
                done += read;
            }
            var destination = new Span<float>(values + first, count);
            if (brain) HalfWidening.BFloat16ToSingle(raw, destination);
            else TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<ushort, Half>(raw), destination);
            return buffer;
        }, _ => { });
        return new Weight(entry.Name, shape, values, n, mapped: false);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        handle?.Dispose();
        foreach (var p in owned) NativeMemory.Free((void*)p);
        owned.Clear();
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        map.Dispose();
    }
}
