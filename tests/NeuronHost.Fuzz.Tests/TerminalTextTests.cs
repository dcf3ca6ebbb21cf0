using NeuronHost.Core.Text;

namespace NeuronHost.Fuzz.Tests;

/// <summary>The one helper every error and log line goes through, checked against hand-written
/// expectations (not its own output).</summary>
public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("\u001b]0;pwned\u0007", "\\u001B]0;pwned\\u0007")]
    [InlineData("a\tb\nc\rd", "a\\tb\\nc\\rd")]
    [InlineData("del\u007f c1\u009b", "del\\u007F c1\\u009B")]
    [InlineData("bidi \u202eevil", "bidi \\u202Eevil")]
    [InlineData("naïve café ✓ 𝔘", "naïve café ✓ 𝔘")]
    public void Control_characters_become_visible_escapes(string input, string expected) =>
        Assert.Equal(expected, TerminalText.Safe(input));

    [Fact]
    public void A_lone_surrogate_is_escaped()
    {
        // Built here: xunit's test-case serialisation would turn it into U+FFFD.
        string input = "lone " + (char)0xD800 + " surrogate";
        Assert.Equal("lone \\uD800 surrogate", TerminalText.Safe(input));
    }

    [Fact]
    public void A_long_value_is_cut_with_a_count_of_the_rest()
    {
        string value = new('x', 10_000_000);
        string safe = TerminalText.Safe(value);
        Assert.Equal(new string('x', TerminalText.MaxLineLength) + "… (9,999,000 more characters)", safe);
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        string value = new string('x', TerminalText.MaxLineLength - 1) + "𝔘𝔘";
        string safe = TerminalText.Safe(value);
        Assert.StartsWith(new string('x', TerminalText.MaxLineLength - 1) + "…", safe, StringComparison.Ordinal);
        Assert.EndsWith("(4 more characters)", safe, StringComparison.Ordinal);
    }
}
