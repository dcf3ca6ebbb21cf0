using NeuronHost.Runtime.Tokenizers;

namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>The building blocks against what GPT-2's and BERT's published definitions give.</summary>
public class PreTokenizationTests
{
    private static string[] Gpt2Split(string text) =>
        Gpt2PreTokenizer.Split(text).Select(p => text.Substring(p.Start, p.Length)).ToArray();

    [Fact]
    public void Gpt2PatternSplitsAsTheRegexDoes()
    {
        // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
        Assert.Equal(["Hello", " ", " world", "'s", " 123", "!!"], Gpt2Split("Hello  world's 123!!"));
        Assert.Equal(["I", "'ll", " go", "?'", "s"], Gpt2Split("I'll go?'s"));
        Assert.Equal(["a", "\n", "\n", "b", "   "], Gpt2Split("a\n\nb   ")); // \s+(?!\S) leaves the last one
        Assert.Equal(["x", "  ", " y"], Gpt2Split("x   y"));
        Assert.Equal(["𝐀𝐁", " 𝟏𝟐", " 🙂"], Gpt2Split("𝐀𝐁 𝟏𝟐 🙂")); // astral letters and digits are \p{L}, \p{N}
        Assert.Equal(["'", "S", " '", "re"], Gpt2Split("'S 're"));
        Assert.Empty(Gpt2Split(""));
    }

    [Fact]
    public void BertBasicTokenizationUncasedAndCased()
    {
        var uncased = new BertBasicTokenizer(lowercase: true);
        Assert.Equal(["hello", ",", "world", "!"], uncased.Tokenize("Hello, World!"));
        Assert.Equal(["naive", "cafe", "—", "deja", "vu"], uncased.Tokenize("Naïve café — déjà vu"));
        Assert.Equal(["中", "文", "and", "カタカナ"], uncased.Tokenize("中文 and カタカナ"));
        Assert.Equal(["a", "b", "$", "5", "^", "x"], uncased.Tokenize("a\u0000\tb\u200b $5^x"));
        var cased = new BertBasicTokenizer(lowercase: false);
        Assert.Equal(["Naïve", "O", "'", "Neill"], cased.Tokenize("Naïve O'Neill"));
    }

    [Fact]
    public void SpecialTokensAreFoundWholeLongestFirst()
    {
        var m = new SpecialTokenMatcher(new Dictionary<string, int> { ["<s>"] = 1, ["<s>x"] = 2, ["[MASK]"] = 3 });
        var parts = new List<string>();
        m.Split("a<s>xb[MASK]<s>", t => parts.Add(t), id => parts.Add($"#{id}"));
        Assert.Equal(["a", "#2", "b", "#3", "#1"], parts);
    }
}
