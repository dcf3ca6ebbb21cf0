using System.Globalization;

namespace NeuronHost.Benchmarks.Harness;

/// <summary>The commands that read their arguments raw (<c>kernels</c>, <c>gpu</c>): <c>--help</c>
/// prints their usage instead of starting a run of many minutes, and an argument they do not
/// know, or a count that is not a number, is one error line instead of a run with defaults.</summary>
internal static class RawArguments
{
    /// <param name="flags">options without a value</param>
    /// <param name="counts">options whose value is a positive integer</param>
    /// <param name="texts">options with any other value</param>
    /// <returns>null to go on, else the exit code (0 after the usage, 2 after an error line)</returns>
    public static int? Check(string[] args, string usage, string[] flags, string[] counts, string[] texts, TextWriter output, TextWriter error)
    {
        if (args.Any(a => a is "-h" or "--help" or "-?"))
        {
            output.WriteLine(usage);
            return 0;
        }
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (flags.Contains(a)) continue;
            if (!counts.Contains(a) && !texts.Contains(a))
            {
                error.WriteLine($"error: unknown argument '{a}' (usage: {usage.Split('\n')[0].Trim()})");
                return 2;
            }
            if (i + 1 >= args.Length)
            {
                error.WriteLine($"error: {a} needs a value");
                return 2;
            }
            string value = args[++i];
            if (counts.Contains(a) && !(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0))
            {
                error.WriteLine($"error: {a} '{value}' is not a positive whole number");
                return 2;
            }
        }
        return null;
    }

    /// <summary>The value after <paramref name="name"/>, or null when it is not given.</summary>
    public static string? Value(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
