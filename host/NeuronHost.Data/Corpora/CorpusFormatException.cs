namespace NeuronHost.Data.Corpora;

/// <summary>Malformed corpus input. The message starts with "file:line:" so the user can jump
/// straight to the offending line.</summary>
public sealed class CorpusFormatException(string file, int line, string message)
    : Exception(line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}")
{
    public string File { get; } = file;
    /// <summary>1-based line number; 0 when the problem is the whole file.</summary>
    public int Line { get; } = line;
}
