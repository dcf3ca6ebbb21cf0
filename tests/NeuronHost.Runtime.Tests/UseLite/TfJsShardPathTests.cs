using System.Text.Json.Nodes;
using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Models.TfJs;

namespace NeuronHost.Runtime.Tests.UseLite;

/// <summary>model.json's weightsManifest.paths may only name plain files inside the model's
/// folder, and the shards must hold exactly the bytes the weights need: checked from the file
/// sizes before any shard is read. A canary outside the folder is an exact copy of the shard it
/// replaces, so following the reference would load a working model.</summary>
public sealed class TfJsShardPathTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("tfjs-paths-").FullName;
    private string Folder => Path.Combine(root, "model");
    private string ModelJson => Path.Combine(Folder, "model.json");
    private string Canary => Path.Combine(root, "canary-shard");

    public TfJsShardPathTests()
    {
        Directory.CreateDirectory(Folder);
        if (!UseLiteReference.Available) return;
        foreach (var file in Directory.GetFiles(Path.Combine(UseLiteReference.PackageFolder, "dist")))
            File.Copy(file, Path.Combine(Folder, Path.GetFileName(file)));
        File.Copy(Path.Combine(Folder, "group1-shard4of7"), Canary);
    }

    private void SetPath(int index, string value)
    {
        var json = JsonNode.Parse(File.ReadAllText(ModelJson))!;
        json["weightsManifest"]![0]!["paths"]![index] = value;
        File.WriteAllText(ModelJson, json.ToJsonString());
    }

    private ModelLoadException Refused()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelLoadException>(() => TfJsModelFile.Load(ModelJson));
        // refused from the sizes: no shard (27 MB together) was read
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20, "shards were read before the check");
        return e;
    }

    [UseLiteFact]
    public void The_untouched_copy_loads()
    {
        var model = TfJsModelFile.Load(ModelJson);
        Assert.Equal(61, model.TensorNames.Count);
    }

    [UseLiteFact]
    public void A_path_leading_up_and_out_is_refused()
    {
        SetPath(3, "../canary-shard");
        var e = Refused();
        Assert.Equal("weightsManifest.paths[3]", e.Key);
        Assert.Contains("plain file names", e.Message);
        Assert.Contains("model.json", e.Message);
    }

    [UseLiteFact]
    public void An_absolute_path_is_refused()
    {
        SetPath(3, Canary);
        Assert.Equal("weightsManifest.paths[3]", Refused().Key);
    }

    [UseLiteFact]
    public void A_shard_symlinked_outside_the_folder_is_refused()
    {
        File.Delete(Path.Combine(Folder, "group1-shard4of7"));
        File.CreateSymbolicLink(Path.Combine(Folder, "group1-shard4of7"), Canary);
        var e = Refused();
        Assert.Equal("weightsManifest.paths[3]", e.Key);
        Assert.Contains("outside", e.Message);
    }

    [UseLiteFact]
    public void A_shard_symlinked_to_dev_zero_is_refused()
    {
        File.Delete(Path.Combine(Folder, "group1-shard7of7"));
        File.CreateSymbolicLink(Path.Combine(Folder, "group1-shard7of7"), "/dev/zero");
        var e = Refused();
        Assert.Equal("weightsManifest.paths[6]", e.Key);
        Assert.Contains("/dev/zero", e.Message);
    }

    [UseLiteFact]
    public void A_multi_gigabyte_shard_is_refused_from_its_size()
    {
        using (var stream = new FileStream(Path.Combine(Folder, "group1-shard7of7"), FileMode.Open, FileAccess.Write))
            stream.SetLength(4L << 30); // sparse: 4 GiB that a reader would have to allocate
        var e = Refused();
        Assert.Equal("weightsManifest.paths", e.Key);
        Assert.Contains("need", e.Message);
    }

    [UseLiteFact]
    public void A_shard_with_trailing_bytes_is_refused()
    {
        File.AppendAllText(Path.Combine(Folder, "group1-shard2of7"), "extra");
        Assert.Equal("weightsManifest.paths", Refused().Key);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
