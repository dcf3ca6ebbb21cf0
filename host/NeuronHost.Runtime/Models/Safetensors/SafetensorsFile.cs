using System.IO.MemoryMappedFiles;

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
            case "F16":
            {
                var values = GC.AllocateUninitializedArray<float>(Math.Max(n, 1), pinned: true);
                var halves = (Half*)source;
                for (int i = 0; i < n; i++) values[i] = (float)halves[i];
                return new Weight(entry.Name, shape, values);
            }
            case "BF16":
            {
                var values = GC.AllocateUninitializedArray<float>(Math.Max(n, 1), pinned: true);
                var bits = (ushort*)source;
                for (int i = 0; i < n; i++) values[i] = BitConverter.Int32BitsToSingle(bits[i] << 16);
                return new Weight(entry.Name, shape, values);
            }
            default:
                throw new ModelLoadException(Path, entry.Name, $"unsupported dtype {entry.DType} (F32, F16 and BF16 are supported)");
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        map.Dispose();
    }
}
