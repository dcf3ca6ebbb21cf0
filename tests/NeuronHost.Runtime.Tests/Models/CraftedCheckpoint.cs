using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuronHost.Runtime.Tests.Models;

/// <summary>Builds checkpoint folders in a temp dir from a shared model's tensors, optionally
/// altered (renamed, converted, dropped, corrupted), to test the loader.</summary>
internal sealed class CraftedCheckpoint : IDisposable
{
    public sealed record Tensor(string Name, string DType, long[] Shape, byte[] Data);

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "nh-ckpt-" + Guid.NewGuid().ToString("N")[..10]);
    public JsonObject Config { get; }
    public List<Tensor> Tensors { get; } = [];

    public CraftedCheckpoint(string sourceDir)
    {
        System.IO.Directory.CreateDirectory(Directory);
        Config = JsonNode.Parse(File.ReadAllText(Path.Combine(sourceDir, "config.json")))!.AsObject();
        var raw = File.ReadAllBytes(Path.Combine(sourceDir, "model.safetensors"));
        long n = BitConverter.ToInt64(raw, 0);
        using var header = JsonDocument.Parse(raw.AsMemory(8, (int)n));
        foreach (var p in header.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Tensors.Add(new Tensor(p.Name, p.Value.GetProperty("dtype").GetString()!,
                p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                raw.AsSpan((int)(8 + n + offsets[0]), (int)(offsets[1] - offsets[0])).ToArray()));
        }
    }

    public static float[] AsFloats(byte[] data) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data).ToArray();

    /// <summary>Writes config.json and the tensors as one file (or <paramref name="shards"/> files
    /// plus an index). Returns the path of the (first) safetensors file.</summary>
    public string Write(int shards = 1)
    {
        File.WriteAllText(Path.Combine(Directory, "config.json"), Config.ToJsonString());
        if (shards == 1) return WriteFile(Path.Combine(Directory, "model.safetensors"), Tensors);
        var map = new JsonObject();
        string first = "";
        for (int s = 0; s < shards; s++)
        {
            string name = $"model-{s + 1:D5}-of-{shards:D5}.safetensors";
            var part = Tensors.Where((_, i) => i % shards == s).ToList();
            foreach (var t in part) map[t.Name] = name;
            var path = WriteFile(Path.Combine(Directory, name), part);
            if (s == 0) first = path;
        }
        File.WriteAllText(Path.Combine(Directory, "model.safetensors.index.json"),
            new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = map }.ToJsonString());
        return first;
    }

    public static string WriteFile(string path, IEnumerable<Tensor> tensors)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        var list = tensors.ToList();
        foreach (var t in list)
        {
            header[t.Name] = new JsonObject
            {
                ["dtype"] = t.DType,
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.Data.Length),
            };
            offset += t.Data.Length;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - headerBytes.Length % 8) % 8;
        headerBytes = [.. headerBytes, .. Enumerable.Repeat((byte)' ', pad)];
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((long)headerBytes.Length));
        f.Write(headerBytes);
        foreach (var t in list) f.Write(t.Data);
        return path;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
