namespace NeuronHost.Runtime.Tokenizers;

/// <summary>A tokenizer file that cannot be used: the message names the file (and the line for
/// text formats) so the user knows what to fix.</summary>
public sealed class TokenizerFileException : Exception
{
    public TokenizerFileException(string file, string problem, int line = 0, Exception? inner = null)
        : base(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}", inner)
    {
        FilePath = file;
        Line = line;
    }

    public string FilePath { get; }
    /// <summary>1-based line for text formats; 0 when not applicable.</summary>
    public int Line { get; }
}
