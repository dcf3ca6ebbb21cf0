namespace NeuronHost.Runtime.Models;

/// <summary>A checkpoint that cannot be loaded: the message names the file and, where it
/// applies, the tensor or config key.</summary>
public sealed class ModelLoadException : Exception
{
    public string File { get; }
    public string? Key { get; }

    public ModelLoadException(string file, string? key, string problem, Exception? inner = null)
        : base(Describe(file, key, problem), inner)
    {
        File = file;
        Key = key;
    }

    private static string Describe(string file, string? key, string problem) =>
        key is null ? $"{file}: {problem}" : $"{file}: '{key}': {problem}";
}
