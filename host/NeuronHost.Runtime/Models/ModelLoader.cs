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
    /// tensor/key for any problem with the checkpoint. Tensors the model does not read are a
    /// warning in <see cref="ModelSession.LoadWarnings"/>, or an error when <paramref name="strict"/>.</summary>
    public static ModelSession Load(string directory, ITokenizer? tokenizer = null, bool strict = false)
    {
        try { return LoadUnguarded(directory, tokenizer, strict); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or OverflowException
                                      or InvalidOperationException or FormatException or OutOfMemoryException)
        {
            // A framework exception here is a check we are missing: still name the folder, never the type.
            throw new ModelLoadException(directory, null, $"cannot be loaded: {e.Message}", e);
        }
    }

    private static ModelSession LoadUnguarded(string directory, ITokenizer? tokenizer, bool strict)
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
            var unexpected = UnexpectedTensors.Describe(checkpoint.UnusedTensors, config.Layers,
                config.Family == "gpt2" ? "n_layer" : "num_hidden_layers");
            if (unexpected is not null && strict) throw new ModelLoadException(checkpoint.SourceName, null, unexpected);
            return new ModelSession(new TransformerModel(config, weights), checkpoint, info, tokenizer)
            {
                LoadWarnings = unexpected is null ? [] : [$"{checkpoint.SourceName}: {unexpected}"],
            };
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }
}
