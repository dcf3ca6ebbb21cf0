using System.Security.Cryptography;
using System.Text.Json;
using NeuronHost.Runtime.Files;

namespace NeuronHost.Runtime.Models.Safetensors;

/// <summary>The weights of a Hugging Face checkpoint folder: <c>model.safetensors</c>, or the
/// shards named by <c>model.safetensors.index.json</c>. Tensors are looked up by their name
/// with or without the <c>transformer.</c>/<c>model.</c>/<c>bert.</c> prefixes real checkpoints use.</summary>
public sealed class Checkpoint : IDisposable
{
    private static readonly string[] Prefixes = ["transformer.", "model.", "bert.", "gpt2.", "llama."];
    private readonly List<SafetensorsFile> files = [];
    private readonly Dictionary<string, (SafetensorsFile File, TensorEntry Entry)> tensors = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public string Directory { get; }
    public IReadOnlyList<SafetensorsFile> Files => files;
    /// <summary>What a missing-tensor error names: the single file or the index.</summary>
    public string SourceName { get; }

    public Checkpoint(string directory)
    {
        Directory = directory;
        string single = Path.Combine(directory, "model.safetensors");
        string index = Path.Combine(directory, "model.safetensors.index.json");
        try
        {
            if (File.Exists(single))
            {
                SourceName = single;
                Add(new SafetensorsFile(single));
            }
            else if (File.Exists(index))
            {
                SourceName = index;
                foreach (var shard in ReadIndex(index)) Add(new SafetensorsFile(Path.Combine(directory, shard)));
            }
            else throw new ModelLoadException(directory, null, "no model.safetensors or model.safetensors.index.json in this folder");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private static IEnumerable<string> ReadIndex(string index)
    {
        var bytes = ReadBounded(index, MaxIndexBytes);
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw new ModelLoadException(index, null, "not valid UTF-8 text");
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var map = doc.RootElement.GetProperty("weight_map");
            var shards = map.EnumerateObject().Select(p => p.Value.GetString() ?? "").Distinct().ToList();
            foreach (var s in shards)
                if (FolderFile.NameProblem(s) is { } problem)
                    throw new ModelLoadException(index, null, $"weight_map names an invalid shard file: {problem}");
            return shards;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ModelLoadException(index, "weight_map", $"not a valid safetensors index ({e.Message})", e);
        }
    }

    /// <summary>The largest model.safetensors.index.json read (a 400-shard index is about 2 MB).</summary>
    public const int MaxIndexBytes = 64 << 20;

    /// <summary>A small file's bytes, reading no further than <paramref name="limit"/> (a device never ends).</summary>
    internal static byte[] ReadBounded(string path, int limit)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[64 * 1024];
            using var result = new MemoryStream();
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                result.Write(buffer, 0, n);
                if (result.Length > limit) throw new ModelLoadException(path, null, $"larger than the {limit:N0}-byte limit for this file");
            }
            return result.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(path, null, $"cannot be read: {e.Message}", e);
        }
    }

    private void Add(SafetensorsFile file)
    {
        files.Add(file);
        foreach (var (name, entry) in file.Entries)
            if (!tensors.TryAdd(name, (file, entry)))
                throw new ModelLoadException(file.Path, name, $"this tensor is also stored in {tensors[name].File.Path}");
    }

    /// <summary>The stored name for <paramref name="name"/>, trying the usual prefixes.</summary>
    public string? Resolve(string name)
    {
        if (tensors.ContainsKey(name)) return name;
        foreach (var prefix in Prefixes)
        {
            if (tensors.ContainsKey(prefix + name)) return prefix + name;
            if (name.StartsWith(prefix, StringComparison.Ordinal) && tensors.ContainsKey(name[prefix.Length..])) return name[prefix.Length..];
        }
        return null;
    }

    public bool Contains(string name) => Resolve(name) is not null;

    /// <summary>The tensor, checked against the shape config.json implies.</summary>
    public Weight Get(string name, params int[] expectedShape)
    {
        var stored = Resolve(name) ?? throw new ModelLoadException(SourceName, name, "tensor missing from the checkpoint");
        var (file, entry) = tensors[stored];
        used.Add(stored);
        if (!entry.Shape.Select(d => (long)d).SequenceEqual(expectedShape.Select(d => (long)d)))
            throw new ModelLoadException(file.Path, stored,
                $"shape [{string.Join(", ", entry.Shape)}] does not match config.json (expected [{string.Join(", ", expectedShape)}])");
        return file.Read(entry);
    }

    /// <summary>Stored tensors no <see cref="Get"/> has read, in name order: what PyTorch's
    /// strict load calls unexpected keys.</summary>
    public IReadOnlyList<string> UnusedTensors => tensors.Keys.Where(n => !used.Contains(n)).Order(StringComparer.Ordinal).ToList();

    public Weight? TryGet(string name, params int[] expectedShape) => Contains(name) ? Get(name, expectedShape) : null;

    /// <summary>A cheap content identity: SHA-256 over config.json, every safetensors header
    /// and the file sizes (hex, 32 characters).</summary>
    public string Identity(byte[] configBytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(configBytes);
        foreach (var f in files)
        {
            hash.AppendData(BitConverter.GetBytes(f.FileSize));
            hash.AppendData(f.HeaderBytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }

    public void Dispose()
    {
        foreach (var f in files) f.Dispose();
        files.Clear();
    }
}
