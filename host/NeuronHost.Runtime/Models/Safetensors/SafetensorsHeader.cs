using System.Text.Json;
using System.Text.Unicode;

namespace NeuronHost.Runtime.Models.Safetensors;

/// <summary>Parses and validates a safetensors header by the format's own rules: a UTF-8 JSON
/// object of at most <see cref="MaxHeaderBytes"/>, no duplicate names, known dtypes, shape ×
/// dtype size computed with checked arithmetic, each tensor aligned to its dtype, and the
/// tensors, sorted by offset, tiling the data buffer exactly (no holes, overlaps, aliases or
/// trailing bytes). Every violation is a <see cref="ModelLoadException"/> naming the file and tensor.</summary>
internal static class SafetensorsHeader
{
    /// <summary>The limit the reference implementation (huggingface/safetensors) enforces.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    public static int DTypeSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    public static Dictionary<string, TensorEntry> Parse(string path, byte[] header, long dataLength)
    {
        if (!Utf8.IsValid(header)) throw new ModelLoadException(path, null, "header is not valid UTF-8");
        if (header.Length == 0 || header[0] != (byte)'{') throw new ModelLoadException(path, null, "header does not start with '{' (header length wrong or not a safetensors file)");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException e) { throw new ModelLoadException(path, null, $"header is not valid JSON ({e.Message})", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException(path, null, "header JSON is not an object");
            var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (sawMetadata) throw new ModelLoadException(path, "__metadata__", "appears twice in the header");
                    sawMetadata = true;
                    continue;
                }
                if (entries.ContainsKey(property.Name))
                    throw new ModelLoadException(path, property.Name, "tensor name appears twice in the header");
                entries[property.Name] = ParseEntry(path, property, dataLength);
            }
            CheckTiling(path, entries.Values, dataLength);
            return entries;
        }
    }

    private static TensorEntry ParseEntry(string path, JsonProperty property, long dataLength)
    {
        string name = property.Name;
        try
        {
            var e = property.Value;
            if (e.ValueKind != JsonValueKind.Object) throw new FormatException("entry is not an object");
            string dtype = e.GetProperty("dtype").GetString() ?? throw new FormatException("dtype is null");
            int size = DTypeSize(dtype);
            if (size == 0) throw new ModelLoadException(path, name, $"unknown dtype '{dtype}'");
            long[] shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            long[] offsets = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            if (offsets.Length != 2) throw new FormatException("data_offsets must have two numbers");
            if (shape.Any(d => d < 0)) throw new FormatException("negative dimension in shape");
            long begin = offsets[0], end = offsets[1];
            if (begin < 0 || end < begin) throw new ModelLoadException(path, name, $"data_offsets [{begin}, {end}] are not a range");
            if (end > dataLength)
                throw new ModelLoadException(path, name, $"data_offsets [{begin}, {end}] lie outside the file's data section of {dataLength} bytes (truncated or corrupt file)");
            long bytes;
            try { bytes = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * size); }
            catch (OverflowException) { throw new ModelLoadException(path, name, $"{dtype} shape [{string.Join(", ", shape)}] overflows a 64-bit byte count"); }
            if (bytes != end - begin)
                throw new ModelLoadException(path, name, $"{dtype} shape [{string.Join(", ", shape)}] needs {bytes} bytes but data_offsets span {end - begin}");
            if (begin % size != 0)
                throw new ModelLoadException(path, name, $"data_offsets start {begin} is not aligned to the {size}-byte {dtype} element size");
            return new TensorEntry(name, dtype, shape, begin, end);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelLoadException(path, name, $"malformed header entry ({ex.Message})", ex);
        }
    }

    /// <summary>Sorted by start, each tensor must begin where the previous one ended, the first at
    /// 0 and the last ending at the end of the file.</summary>
    private static void CheckTiling(string path, IEnumerable<TensorEntry> entries, long dataLength)
    {
        long covered = 0;
        string? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin > covered)
                throw new ModelLoadException(path, entry.Name, $"a hole of {entry.Begin - covered} bytes lies before this tensor (data_offsets start {entry.Begin}, previous data ends at {covered})");
            if (entry.Begin < covered)
                throw new ModelLoadException(path, entry.Name, $"its data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous}' (ending at {covered})");
            if (entry.End > dataLength)
                throw new ModelLoadException(path, entry.Name, $"data_offsets [{entry.Begin}, {entry.End}] lie outside the file's data section of {dataLength} bytes (truncated or corrupt file)");
            covered = entry.End;
            previous = entry.Name;
        }
        if (covered != dataLength)
            throw new ModelLoadException(path, null, $"{dataLength - covered} trailing bytes after the last tensor (header length wrong, or data no tensor names)");
    }
}
