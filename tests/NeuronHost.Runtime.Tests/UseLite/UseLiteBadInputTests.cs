using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Models.UseLite;

namespace NeuronHost.Runtime.Tests.UseLite;

/// <summary>A damaged copy of the npm package's graph: errors name the file and the tensor.</summary>
public sealed class UseLiteBadInputTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("use-lite-bad-").FullName;

    private string CopyModel()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(UseLiteReference.PackageFolder, "dist")))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    [UseLiteFact]
    public void Missing_weight_shard_names_the_shard()
    {
        File.Delete(Path.Combine(CopyModel(), "group1-shard4of7"));
        var e = Assert.Throws<ModelLoadException>(() => UseLiteSession.Load(folder));
        Assert.Contains("group1-shard4of7", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [UseLiteFact]
    public void Truncated_weight_shard_names_the_file_and_tensor()
    {
        string last = Path.Combine(CopyModel(), "group1-shard7of7");
        var bytes = File.ReadAllBytes(last);
        File.WriteAllBytes(last, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ModelLoadException>(() => UseLiteSession.Load(folder));
        Assert.Contains("group1-shard7of7", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.NotNull(e.Key);   // the tensor that could not be read
    }

    [UseLiteFact]
    public void Graph_naming_a_tensor_the_manifest_lacks_names_it()
    {
        string modelJson = Path.Combine(CopyModel(), "model.json");
        File.WriteAllText(modelJson, File.ReadAllText(modelJson).Replace("\"module/Encoder_en/hidden_layers/tanh_layer_0/bias\"", "\"module/Encoder_en/hidden_layers/renamed_bias\""));
        var e = Assert.Throws<ModelLoadException>(() => UseLiteSession.Load(folder));
        Assert.Contains("model.json", e.Message);
        Assert.Contains("module/Encoder_en/hidden_layers/tanh_layer_0/bias", e.Message);
    }

    [UseLiteFact]
    public void Model_json_that_is_not_json_names_the_file()
    {
        File.WriteAllText(Path.Combine(CopyModel(), "model.json"), "{ not json");
        var e = Assert.Throws<ModelLoadException>(() => UseLiteSession.Load(folder));
        Assert.Contains("model.json", e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
