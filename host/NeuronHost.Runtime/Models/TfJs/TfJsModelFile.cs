using System.Text.Json;
using NeuronHost.Runtime.Files;

namespace NeuronHost.Runtime.Models.TfJs;

/// <summary>A TF.js graph model on disk: <c>model.json</c> (graph topology + weights manifest)
/// and the binary weight shards it names. The manifest lists the weights in the order their
/// bytes appear in the concatenated shards.</summary>
public sealed class TfJsModelFile
{
    private readonly Dictionary<string, TfJsTensor> tensors;

    private TfJsModelFile(string path, Dictionary<string, TfJsTensor> tensors, IReadOnlyList<(string Name, string Op)> nodes)
    {
        Path = path;
        this.tensors = tensors;
        Nodes = nodes;
    }

    public string Path { get; }
    /// <summary>The graph's nodes (name, op), to check that a model is the architecture we run.</summary>
    public IReadOnlyList<(string Name, string Op)> Nodes { get; }
    public IReadOnlyCollection<string> TensorNames => tensors.Keys;

    public TfJsTensor Tensor(string name) =>
        tensors.TryGetValue(name, out var t) ? t
        : throw new ModelLoadException(Path, name, "the graph needs this tensor, but the weights manifest does not contain it");

    /// <summary>Reads model.json and every shard. Errors name the file and the tensor.</summary>
    public static TfJsModelFile Load(string modelJsonPath)
    {
        if (!File.Exists(modelJsonPath)) throw new ModelLoadException(modelJsonPath, null, "file not found");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(modelJsonPath)); }
        catch (JsonException e) { throw new ModelLoadException(modelJsonPath, null, $"not valid JSON ({e.Message})", e); }
        using var owned = doc;
        var root = doc.RootElement;
        if (!root.TryGetProperty("weightsManifest", out var manifest) || manifest.ValueKind != JsonValueKind.Array)
            throw new ModelLoadException(modelJsonPath, "weightsManifest", "missing or not an array: not a TF.js model");

        var nodes = new List<(string, string)>();
        if (root.TryGetProperty("modelTopology", out var topo) && topo.TryGetProperty("node", out var nodeArray))
            foreach (var n in nodeArray.EnumerateArray())
                nodes.Add((n.GetProperty("name").GetString() ?? "", n.GetProperty("op").GetString() ?? ""));

        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(modelJsonPath))!;
        var result = new Dictionary<string, TfJsTensor>(StringComparer.Ordinal);
        foreach (var group in manifest.EnumerateArray())
        {
            var paths = group.GetProperty("paths").EnumerateArray().Select(p => p.GetString()!).ToArray();
            var weights = group.GetProperty("weights").EnumerateArray().ToArray();
            var reader = new ShardReader(dir, paths);
            reader.CheckSizes(modelJsonPath, weights);
            foreach (var w in weights)
            {
                string name = w.GetProperty("name").GetString()!;
                int[] shape = w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
                string dtype = w.GetProperty("dtype").GetString()!;
                if (w.TryGetProperty("quantization", out _))
                    throw new ModelLoadException(modelJsonPath, name, "quantized tensors are not supported");
                long count = shape.Aggregate(1L, (a, b) => a * b);
                var bytes = reader.Take(checked((int)(count * 4)), name);
                result[name] = dtype switch
                {
                    "float32" => new TfJsTensor(name, shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray(), null),
                    "int32" => new TfJsTensor(name, shape, null, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes).ToArray()),
                    _ => throw new ModelLoadException(modelJsonPath, name, $"dtype '{dtype}' is not supported"),
                };
            }
            reader.EnsureConsumed();
        }
        return new TfJsModelFile(modelJsonPath, result, nodes);
    }

    /// <summary>Reads a group's shards as one byte stream, naming the shard that runs short.</summary>
    private sealed class ShardReader(string dir, string[] paths)
    {
        private int shard = -1;
        private byte[] current = [];
        private int offset;

        /// <summary>Before anything is read: every path is a plain name of a file in the model's
        /// folder, and together they hold exactly the bytes the weights need (4 per value), so a
        /// device, a file outside the folder or an oversized shard is never read.</summary>
        public void CheckSizes(string modelJsonPath, JsonElement[] weights)
        {
            long held = 0;
            for (int i = 0; i < paths.Length; i++)
            {
                var (file, length, problem) = FolderFile.LocateWithLength(dir, paths[i]);
                if (problem is not null)
                    throw new ModelLoadException(problem == "missing" ? file : modelJsonPath, $"weightsManifest.paths[{i}]",
                        problem == "missing" ? "weight shard named in model.json is missing" : problem);
                held += length;
            }
            long needed = 0;
            foreach (var w in weights)
            {
                string name = w.GetProperty("name").GetString()!;
                long values = 1;
                try
                {
                    foreach (var d in w.GetProperty("shape").EnumerateArray())
                        values = d.GetInt32() >= 0 ? checked(values * d.GetInt32()) : throw new ModelLoadException(modelJsonPath, name, "negative dimension in the shape");
                    needed = checked(needed + values * 4);
                }
                catch (OverflowException) { throw new ModelLoadException(modelJsonPath, name, "the shape's size overflows"); }
                if (needed > held)
                    throw new ModelLoadException(System.IO.Path.Combine(dir, paths.Length > 0 ? paths[^1] : "?"), name,
                        $"the weight shards end before this tensor is complete (truncated or missing shard: they hold {held} bytes)");
            }
            if (held != needed)
                throw new ModelLoadException(modelJsonPath, "weightsManifest.paths",
                    $"the weight shards hold {held} bytes, the manifest's weights need {needed} (corrupt shard or manifest)");
        }

        public ReadOnlySpan<byte> Take(int length, string tensor)
        {
            var result = new byte[length];
            int filled = 0;
            while (filled < length)
            {
                if (offset == current.Length && !NextShard())
                    throw new ModelLoadException(System.IO.Path.Combine(dir, paths[^1]), tensor,
                        "the weight shards end before this tensor is complete (truncated or missing shard)");
                int n = Math.Min(length - filled, current.Length - offset);
                current.AsSpan(offset, n).CopyTo(result.AsSpan(filled));
                offset += n; filled += n;
            }
            return result;
        }

        public void EnsureConsumed()
        {
            if (offset != current.Length || shard < paths.Length - 1)
                throw new ModelLoadException(System.IO.Path.Combine(dir, paths[Math.Max(shard, 0)]), null,
                    "the weight shards hold more bytes than the manifest describes (corrupt shard or manifest)");
        }

        private bool NextShard()
        {
            if (shard + 1 >= paths.Length) return false;
            shard++;
            string file = System.IO.Path.Combine(dir, paths[shard]);
            if (!File.Exists(file)) throw new ModelLoadException(file, null, "weight shard named in model.json is missing");
            current = File.ReadAllBytes(file);
            offset = 0;
            return true;
        }
    }
}
