namespace NeuronHost.Runtime.Tokenizers;

/// <summary>Which implementation encodes: Microsoft.ML.Tokenizers except on the inputs a
/// differential test found it wrong on (the default), or one of the two throughout (for that test).</summary>
public enum TokenizerEngine { LibraryWhereExact, Library, Ours }

/// <summary>Hands a text to Microsoft.ML.Tokenizers unless it is one of the inputs
/// <see cref="LibraryDisagreements"/> names for this tokenizer; then our own code runs.</summary>
internal sealed class LibraryRoute(Func<string, IReadOnlyList<int>> encode, Func<string, bool> libraryIsWrongOn)
{
    public TokenizerEngine Engine { get; set; } = TokenizerEngine.LibraryWhereExact;

    /// <summary>Appends the library's ids and returns true, or returns false for ours to run.</summary>
    public bool TryEncode(string text, List<int> ids)
    {
        if (Engine == TokenizerEngine.Ours || (Engine == TokenizerEngine.LibraryWhereExact && libraryIsWrongOn(text))) return false;
        ids.AddRange(encode(text));
        return true;
    }
}
