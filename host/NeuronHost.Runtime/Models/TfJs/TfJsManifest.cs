using System.Text.Json;

namespace NeuronHost.Runtime.Models.TfJs;

/// <summary>One weight of a TF.js weights manifest, as declared.</summary>
public sealed record TfJsWeightSpec(string Name, int[] Shape, string DType)
{
    /// <summary>Bytes the weight takes in the shards (float32 and int32: 4 per value).</summary>
    public int ByteLength { get; init; }
}

/// <summary>One group of the manifest: shard files read as one byte stream, and its weights in order.</summary>
public sealed record TfJsWeightGroup(IReadOnlyList<string> Paths, IReadOnlyList<TfJsWeightSpec> Weights);

/// <summary>The fields of a TF.js <c>model.json</c> that NeuronHost reads, each checked for its
/// type and range; anything malformed is a <see cref="ModelLoadException"/> naming the file and
/// the JSON path of the field (<c>weightsManifest[0].weights[3].shape</c>).</summary>
public sealed class TfJsManifest
{
    /// <summary>The largest model.json read into memory (USE-Lite's is 0.3 MB).</summary>
    public const long MaxFileBytes = 64L << 20;
    /// <summary>JSON nesting deeper than this is refused (real graph models nest about 8 deep).</summary>
    public const int MaxDepth = 64;

    public required IReadOnlyList<(string Name, string Op)> Nodes { get; init; }
    public required IReadOnlyList<TfJsWeightGroup> Groups { get; init; }

    public static TfJsManifest Read(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException(path, null, "file not found");
        var info = new FileInfo(path);
        if (info.Length > MaxFileBytes) throw new ModelLoadException(path, null, $"{info.Length:N0} bytes is over the {MaxFileBytes:N0}-byte limit for a model.json");
        var bytes = File.ReadAllBytes(path);
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw new ModelLoadException(path, null, "not valid UTF-8 text");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxDepth }); }
        catch (JsonException e) { throw new ModelLoadException(path, null, $"not valid JSON ({e.Message})", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ModelLoadException(path, null, "not a JSON object: not a TF.js model");
            if (!root.TryGetProperty("weightsManifest", out var manifest) || manifest.ValueKind != JsonValueKind.Array)
                throw new ModelLoadException(path, "weightsManifest", "missing or not an array: not a TF.js model");
            var fields = new Fields(path);
            return new TfJsManifest { Nodes = fields.Nodes(root), Groups = fields.Groups(manifest) };
        }
    }

    private sealed class Fields(string path)
    {
        private ModelLoadException Bad(string key, string problem) => new(path, key, problem);

        public List<(string, string)> Nodes(JsonElement root)
        {
            var nodes = new List<(string, string)>();
            if (!root.TryGetProperty("modelTopology", out var topology)) return nodes;
            if (topology.ValueKind != JsonValueKind.Object) throw Bad("modelTopology", "is not an object");
            if (!topology.TryGetProperty("node", out var array)) return nodes;
            foreach (var (node, i) in Array(array, "modelTopology.node").Select((n, i) => (n, i)))
            {
                string at = $"modelTopology.node[{i}]";
                Object(node, at);
                nodes.Add((String(node, "name", at), String(node, "op", at)));
            }
            return nodes;
        }

        public List<TfJsWeightGroup> Groups(JsonElement manifest)
        {
            var groups = new List<TfJsWeightGroup>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (group, g) in manifest.EnumerateArray().Select((x, i) => (x, i)))
            {
                string at = $"weightsManifest[{g}]";
                Object(group, at);
                var paths = Array(Property(group, "paths", at), at + ".paths")
                    .Select((p, i) => p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } s ? s
                        : throw Bad($"{at}.paths[{i}]", $"expected a shard file name, found {Raw(p)}")).ToList();
                if (paths.Count == 0) throw Bad(at + ".paths", "names no shard file");
                var weights = new List<TfJsWeightSpec>();
                foreach (var (w, i) in Array(Property(group, "weights", at), at + ".weights").Select((x, i) => (x, i)))
                {
                    var spec = Weight(w, $"{at}.weights[{i}]");
                    if (!names.Add(spec.Name)) throw Bad(spec.Name, "weight named twice in weightsManifest");
                    weights.Add(spec);
                }
                groups.Add(new TfJsWeightGroup(paths, weights));
            }
            return groups;
        }

        private TfJsWeightSpec Weight(JsonElement w, string at)
        {
            Object(w, at);
            string name = String(w, "name", at);
            if (w.TryGetProperty("quantization", out _)) throw Bad(name, "quantized tensors are not supported");
            string dtype = String(w, "dtype", at);
            if (dtype is not ("float32" or "int32")) throw Bad(name, $"dtype '{dtype}' is not supported (float32, int32)");
            var shape = Array(Property(w, "shape", at), at + ".shape").Select((d, i) =>
                d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out int v) && v >= 0 ? v
                    : throw Bad($"{at}.shape[{i}]", $"expected a non-negative integer dimension, found {Raw(d)}")).ToArray();
            long bytes = 4;
            foreach (int d in shape)
            {
                bytes *= d; // each factor ≤ 2^31 and the running product is cut at 2^31 below: no overflow
                if (bytes > int.MaxValue) throw Bad(name, $"shape [{string.Join(", ", shape)}] is over {int.MaxValue:N0} bytes");
            }
            return new TfJsWeightSpec(name, shape, dtype) { ByteLength = (int)bytes };
        }

        private JsonElement Property(JsonElement obj, string key, string at) =>
            obj.TryGetProperty(key, out var v) ? v : throw Bad($"{at}.{key}", "missing");

        private string String(JsonElement obj, string key, string at)
        {
            var v = Property(obj, key, at);
            return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad($"{at}.{key}", $"expected a string, found {Raw(v)}");
        }

        private JsonElement.ArrayEnumerator Array(JsonElement v, string at) =>
            v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : throw Bad(at, $"expected an array, found {Raw(v)}");

        private void Object(JsonElement v, string at)
        {
            if (v.ValueKind != JsonValueKind.Object) throw Bad(at, $"expected an object, found {Raw(v)}");
        }

        private static string Raw(JsonElement v)
        {
            string raw = v.GetRawText();
            return raw.Length <= 40 ? raw : raw[..40] + "…";
        }
    }
}
