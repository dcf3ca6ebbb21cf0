using System.IO.MemoryMappedFiles;
using System.Text.Json;

namespace NeuronHost.Runtime.Models.Safetensors;

/// <summary>One tensor entry of a safetensors header.</summary>
public sealed record TensorEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>A memory-mapped .safetensors file: an 8-byte little-endian header length, a JSON
/// header {name: {dtype, shape, data_offsets}}, then the raw data. Every entry is checked
/// against the file size when the file is opened.</summary>
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

    public static int DTypeSize(string dtype) => dtype switch
    {
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "F64" or "I64" or "U64" => 8,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    public SafetensorsFile(string path)
    {
        Path = path;
        if (!File.Exists(path)) throw new ModelLoadException(path, null, "safetensors file not found");
        FileSize = new FileInfo(path).Length;
        if (FileSize < 8) throw new ModelLoadException(path, null, $"truncated: {FileSize} bytes, not even the 8-byte header length");
        HeaderBytes = ReadHeader(path, FileSize);
        dataStart = 8 + HeaderBytes.Length;
        Entries = ParseHeader(path, HeaderBytes, FileSize - dataStart);
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
        if (headerLength > (ulong)(fileSize - 8))
            throw new ModelLoadException(path, null, $"truncated or corrupt: header claims {headerLength} bytes but the file has only {fileSize - 8} after the length");
        if (headerLength > 256 * 1024 * 1024)
            throw new ModelLoadException(path, null, $"header of {headerLength} bytes is implausibly large");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        return header;
    }

    private static Dictionary<string, TensorEntry> ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw new ModelLoadException(path, null, $"header is not valid JSON ({e.Message})", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException(path, null, "header JSON is not an object");
            var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__") continue;
                entries[property.Name] = ParseEntry(path, property, dataLength);
            }
            return entries;
        }
    }

    private static TensorEntry ParseEntry(string path, JsonProperty property, long dataLength)
    {
        string name = property.Name;
        try
        {
            var e = property.Value;
            string dtype = e.GetProperty("dtype").GetString() ?? throw new FormatException("dtype is null");
            long[] shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            long[] offsets = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            if (offsets.Length != 2) throw new FormatException("data_offsets must have two numbers");
            if (shape.Any(d => d < 0)) throw new FormatException("negative dimension in shape");
            long begin = offsets[0], end = offsets[1];
            if (begin < 0 || end < begin || end > dataLength)
                throw new ModelLoadException(path, name, $"data_offsets [{begin}, {end}] lie outside the file's data section of {dataLength} bytes (truncated or corrupt file)");
            int size = DTypeSize(dtype);
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (size > 0 && count * size != end - begin)
                throw new ModelLoadException(path, name, $"{dtype} shape [{string.Join(", ", shape)}] needs {count * size} bytes but data_offsets span {end - begin}");
            return new TensorEntry(name, dtype, shape, begin, end);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelLoadException(path, name, $"malformed header entry ({ex.Message})", ex);
        }
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
            case "F32":
                return new Weight(entry.Name, shape, (float*)source, n);
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
