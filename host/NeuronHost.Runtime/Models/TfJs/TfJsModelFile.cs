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

    /// <summary>Reads model.json (validated by <see cref="TfJsManifest"/>) and every shard. Errors
    /// name the file and the tensor or field.</summary>
    public static TfJsModelFile Load(string modelJsonPath)
    {
        var manifest = TfJsManifest.Read(modelJsonPath);
        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(modelJsonPath))!;
        var result = new Dictionary<string, TfJsTensor>(StringComparer.Ordinal);
        foreach (var group in manifest.Groups)
        {
            var reader = new ShardReader(dir, group.Paths.ToArray(), System.IO.Path.GetFileName(modelJsonPath));
            reader.CheckSizes(modelJsonPath, group.Weights);
            foreach (var w in group.Weights)
            {
                var bytes = reader.Take(w.ByteLength, w.Name);
                result[w.Name] = w.DType switch
                {
                    "float32" => new TfJsTensor(w.Name, w.Shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray(), null),
                    _ => new TfJsTensor(w.Name, w.Shape, null, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes).ToArray()),
                };
            }
            reader.EnsureConsumed();
        }
        return new TfJsModelFile(modelJsonPath, result, manifest.Nodes);
    }

    /// <summary>Reads a group's shards as one byte stream, naming the shard that runs short.</summary>
    private sealed class ShardReader(string dir, string[] paths, string manifestName)
    {
        private int shard = -1;
        private byte[] current = [];
        private int offset;

        /// <summary>Before anything is read: every path is a plain name of a file in the model's
        /// folder, and together they hold exactly the bytes the weights need (4 per value), so a
        /// device, a file outside the folder or an oversized shard is never read.</summary>
        public void CheckSizes(string modelJsonPath, IReadOnlyList<TfJsWeightSpec> weights)
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
                needed += w.ByteLength;
                if (needed > held)
                    throw new ModelLoadException(modelJsonPath, w.Name,
                        $"the weight shards ({string.Join(", ", paths)}) end before this tensor is complete: they hold {held} bytes " +
                        "(a truncated or missing shard, or a shape larger than the shards)");
            }
            if (held != needed)
                throw new ModelLoadException(modelJsonPath, "weightsManifest.paths",
                    $"the weight shards hold {held} bytes, the manifest's weights need {needed} (corrupt shard or manifest)");
        }

        public ReadOnlySpan<byte> Take(int length, string tensor)
        {
            if (length > Available()) throw ShardsEnd(tensor);
            var result = new byte[length];
            int filled = 0;
            while (filled < length)
            {
                if (offset == current.Length && !NextShard()) throw ShardsEnd(tensor);
                int n = Math.Min(length - filled, current.Length - offset);
                current.AsSpan(offset, n).CopyTo(result.AsSpan(filled));
                offset += n; filled += n;
            }
            return result;
        }

        private ModelLoadException ShardsEnd(string tensor) => new(System.IO.Path.Combine(dir, paths[^1]), tensor,
            $"the weight shards end before this tensor is complete (truncated or missing shard, or {manifestName} declares too much)");

        /// <summary>Bytes left in this group's shards, from their sizes: a forged shape is refused
        /// before a buffer of its size is allocated.</summary>
        private long Available()
        {
            long left = current.Length - offset;
            for (int i = shard + 1; i < paths.Length; i++)
            {
                var info = new FileInfo(System.IO.Path.Combine(dir, paths[i]));
                if (info.Exists) left += info.Length;
            }
            return left;
        }

        public void EnsureConsumed()
        {
            if (offset != current.Length || shard < paths.Length - 1)
                throw new ModelLoadException(System.IO.Path.Combine(dir, paths[Math.Max(shard, 0)]), null,
                    $"the weight shards hold more bytes than {manifestName} describes (corrupt shard or manifest)");
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
