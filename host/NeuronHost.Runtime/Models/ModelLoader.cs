using NeuronHost.Runtime.Models.Bert;
using NeuronHost.Runtime.Models.Gpt2;
using NeuronHost.Runtime.Models.Llama;
using NeuronHost.Runtime.Models.Safetensors;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models;

/// <summary>Opens a Hugging Face checkpoint folder (config.json + safetensors) as a session.</summary>
public static class ModelLoader
{
    public static readonly IReadOnlyList<string> SupportedModelTypes = ["gpt2", "bert", "llama", "mistral", "qwen2"];

    /// <summary>Loads the model in <paramref name="directory"/>; the tokenizer (if the folder has
    /// one) is supplied by the caller. Throws <see cref="ModelLoadException"/> naming the file and
    /// tensor/key for any problem with the checkpoint.</summary>
    public static ModelSession Load(string directory, ITokenizer? tokenizer = null)
    {
        if (!System.IO.Directory.Exists(directory)) throw new ModelLoadException(directory, null, "model folder not found");
        var reader = new ConfigReader(Path.Combine(directory, "config.json"));
        string modelType = reader.String("model_type")
            ?? throw new ModelLoadException(reader.Path, "model_type", "required key missing");
        var config = modelType switch
        {
            "gpt2" => Gpt2Loader.ReadConfig(reader),
            "bert" => BertLoader.ReadConfig(reader),
            "llama" or "mistral" or "qwen2" => LlamaLoader.ReadConfig(reader, modelType),
            _ => throw new ModelLoadException(reader.Path, "model_type",
                $"unsupported model_type '{modelType}' (supported: {string.Join(", ", SupportedModelTypes)})"),
        };
        var checkpoint = new Checkpoint(directory);
        try
        {
            var weights = config.Family switch
            {
                "gpt2" => Gpt2Loader.Load(checkpoint, config),
                "bert" => BertLoader.Load(checkpoint, config, reader.Int("type_vocab_size", 2)),
                _ => LlamaLoader.Load(checkpoint, config, reader.Bool("tie_word_embeddings", false)),
            };
            var info = new ModelInfo(
                Name: Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))),
                Family: config.Family, Layers: config.Layers, HiddenSize: config.Hidden, FfnSize: config.Ffn,
                VocabSize: config.Vocab, MaxPositions: config.MaxPositions, IsMaskedLm: config.MaskedLm,
                Identity: checkpoint.Identity(reader.Bytes), HookPointWidths: HookPlan.AllWidths(config));
            return new ModelSession(new TransformerModel(config, weights), checkpoint, info, tokenizer);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }
}
