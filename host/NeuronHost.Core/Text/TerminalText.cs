using System.Globalization;
using System.Text;

namespace NeuronHost.Core.Text;

/// <summary>Makes text that came from an input file (a token, a YAML value, a tensor name) safe to
/// print: control characters (C0, DEL, C1, bidirectional overrides) become visible escapes so an
/// ESC sequence cannot retitle or clear the terminal, and a long value is cut with a count of
/// what was left out so a 10 MB value never becomes a 10 MB line.</summary>
public static class TerminalText
{
    /// <summary>The longest text one error or log line shows.</summary>
    public const int MaxLineLength = 1000;

    public static string Safe(string? text, int maxLength = MaxLineLength)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        int keep = Math.Min(text.Length, maxLength);
        if (keep < text.Length && char.IsHighSurrogate(text[keep - 1])) keep--;
        var sb = new StringBuilder(keep + 16);
        for (int i = 0; i < keep; i++)
        {
            char c = text[i];
            if (c == '\t') sb.Append("\\t");
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (NeedsEscape(c)) sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else if (char.IsSurrogate(c) && !(i + 1 < keep && char.IsSurrogatePair(c, text[i + 1])) && !(i > 0 && char.IsSurrogatePair(text[i - 1], c)))
                sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)); // a lone surrogate
            else sb.Append(c);
        }
        if (keep < text.Length) sb.Append(CultureInfo.InvariantCulture, $"… ({text.Length - keep:N0} more characters)");
        return sb.ToString();
    }

    private static bool NeedsEscape(char c) =>
        c < 0x20 || c is >= '\u007F' and <= '\u009F' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069'
        || c is '\u2028' or '\u2029' or '\u200E' or '\u200F' or '\u061C' or '\uFEFF';
}
